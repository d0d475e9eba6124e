-- AlterTable
ALTER TABLE "AnalyticsDay" ADD COLUMN     "monthLost" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "secondOrders" INTEGER NOT NULL DEFAULT 0;

-- Stored rollups learn the new columns from the facts and spells they already hold, so no rebuild
-- is needed: a customer's second qualifying order is the fact with one previous order, and a month
-- loses the customers whose spell covering its first midnight ends in it with no spell covering the
-- next month's first midnight.
UPDATE "AnalyticsDay" d SET "secondOrders" = (
  SELECT COUNT(*) FROM "AnalyticsOrder" o
  WHERE o."shopId" = d."shopId" AND o."day" = d."day"
    AND o."previousAt" IS NOT NULL AND o."secondPreviousAt" IS NULL
);
INSERT INTO "AnalyticsDay" ("shopId", "day", "monthLost")
SELECT e."shopId", e."start", COUNT(*) FROM (
  SELECT "shopId", "customerId", "activeFrom",
    (date_trunc('month', DATE '1970-01-01' + "activeUntil")::date - DATE '1970-01-01') AS "start",
    ((date_trunc('month', DATE '1970-01-01' + "activeUntil") + INTERVAL '1 month')::date - DATE '1970-01-01') AS "next"
  FROM "AnalyticsSpell"
) e
WHERE e."activeFrom" <= e."start" AND NOT EXISTS (
  SELECT 1 FROM "AnalyticsSpell" l
  WHERE l."shopId" = e."shopId" AND l."customerId" = e."customerId" AND l."activeFrom" <= e."next" AND l."activeUntil" >= e."next"
)
GROUP BY e."shopId", e."start"
ON CONFLICT ("shopId", "day") DO UPDATE SET "monthLost" = excluded."monthLost";
