-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AnalyticsDay" (
    "shopId" TEXT NOT NULL,
    "day" INTEGER NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenueMinor" BIGINT NOT NULL DEFAULT 0,
    "newCustomers" INTEGER NOT NULL DEFAULT 0,
    "activeDelta" INTEGER NOT NULL DEFAULT 0,
    "secondOrders" INTEGER NOT NULL DEFAULT 0,
    "monthLost" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("shopId", "day"),
    CONSTRAINT "AnalyticsDay_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AnalyticsDay" ("activeDelta", "day", "newCustomers", "orders", "revenueMinor", "shopId") SELECT "activeDelta", "day", "newCustomers", "orders", "revenueMinor", "shopId" FROM "AnalyticsDay";
DROP TABLE "AnalyticsDay";
ALTER TABLE "new_AnalyticsDay" RENAME TO "AnalyticsDay";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Stored rollups learn the new columns from the facts and spells they already hold, so no rebuild
-- is needed: a customer's second qualifying order is the fact with one previous order, and a month
-- loses the customers whose spell covering its first midnight ends in it with no spell covering the
-- next month's first midnight.
UPDATE "AnalyticsDay" SET "secondOrders" = (
  SELECT COUNT(*) FROM "AnalyticsOrder" o
  WHERE o."shopId" = "AnalyticsDay"."shopId" AND o."day" = "AnalyticsDay"."day"
    AND o."previousAt" IS NOT NULL AND o."secondPreviousAt" IS NULL
);
INSERT INTO "AnalyticsDay" ("shopId", "day", "monthLost")
SELECT e."shopId", e."start", COUNT(*) FROM (
  SELECT "shopId", "customerId", "activeFrom",
    CAST(julianday(date("activeUntil" * 86400, 'unixepoch', 'start of month')) - 2440587.5 AS INTEGER) AS "start",
    CAST(julianday(date("activeUntil" * 86400, 'unixepoch', 'start of month', '+1 month')) - 2440587.5 AS INTEGER) AS "next"
  FROM "AnalyticsSpell"
) e
WHERE e."activeFrom" <= e."start" AND NOT EXISTS (
  SELECT 1 FROM "AnalyticsSpell" l
  WHERE l."shopId" = e."shopId" AND l."customerId" = e."customerId" AND l."activeFrom" <= e."next" AND l."activeUntil" >= e."next"
)
GROUP BY e."shopId", e."start"
ON CONFLICT ("shopId", "day") DO UPDATE SET "monthLost" = excluded."monthLost";
