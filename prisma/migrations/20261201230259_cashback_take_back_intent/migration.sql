-- AlterTable
ALTER TABLE "CashbackCredit" ADD COLUMN "takeBackAfter" TEXT;
ALTER TABLE "CashbackCredit" ADD COLUMN "takeBackMinor" INTEGER;
ALTER TABLE "CashbackCredit" ADD COLUMN "takeBackStartedAt" DATETIME;
