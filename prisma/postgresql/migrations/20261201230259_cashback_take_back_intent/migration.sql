-- AlterTable
ALTER TABLE "CashbackCredit" ADD COLUMN     "takeBackAfter" TEXT,
ADD COLUMN     "takeBackMinor" INTEGER,
ADD COLUMN     "takeBackStartedAt" TIMESTAMP(3);
