-- DropIndex
DROP INDEX "AnalyticsSpell_shopId_activeUntil_activeFrom_seq_idx";

-- AlterTable
ALTER TABLE "AnalyticsSpell" ADD COLUMN "nextFrom" INTEGER;

-- CreateIndex
CREATE INDEX "AnalyticsSpell_shopId_activeUntil_activeFrom_nextFrom_idx" ON "AnalyticsSpell"("shopId", "activeUntil", "activeFrom", "nextFrom");

-- Spells stored before this migration learn their next spell's first day, so lost counts stay
-- exact without a rebuild.
UPDATE "AnalyticsSpell" SET "nextFrom" = (
  SELECT n."activeFrom" FROM "AnalyticsSpell" n
  WHERE n."shopId" = "AnalyticsSpell"."shopId" AND n."customerId" = "AnalyticsSpell"."customerId"
    AND n."seq" = "AnalyticsSpell"."seq" + 1
);
