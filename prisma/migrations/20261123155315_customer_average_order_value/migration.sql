-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Customer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "locale" TEXT,
    "countryCode" TEXT,
    "timezone" TEXT,
    "birthday" TEXT,
    "tags" TEXT NOT NULL DEFAULT '',
    "emailConsent" TEXT NOT NULL DEFAULT 'not_subscribed',
    "smsConsent" TEXT NOT NULL DEFAULT 'not_subscribed',
    "whatsappConsent" TEXT NOT NULL DEFAULT 'not_subscribed',
    "firstOrderAt" DATETIME,
    "lastOrderAt" DATETIME,
    "ordersCount" INTEGER NOT NULL DEFAULT 0,
    "totalSpentMinor" INTEGER NOT NULL DEFAULT 0,
    "averageOrderValueMinor" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT,
    "lifecycleStage" TEXT NOT NULL DEFAULT 'lead',
    "shopifyUpdatedAt" DATETIME,
    "redactedAt" DATETIME,
    "deletedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Customer_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Customer" ("birthday", "countryCode", "createdAt", "currency", "deletedAt", "email", "emailConsent", "firstName", "firstOrderAt", "id", "lastName", "lastOrderAt", "lifecycleStage", "locale", "ordersCount", "phone", "redactedAt", "shopId", "shopifyId", "shopifyUpdatedAt", "smsConsent", "tags", "timezone", "totalSpentMinor", "updatedAt", "whatsappConsent") SELECT "birthday", "countryCode", "createdAt", "currency", "deletedAt", "email", "emailConsent", "firstName", "firstOrderAt", "id", "lastName", "lastOrderAt", "lifecycleStage", "locale", "ordersCount", "phone", "redactedAt", "shopId", "shopifyId", "shopifyUpdatedAt", "smsConsent", "tags", "timezone", "totalSpentMinor", "updatedAt", "whatsappConsent" FROM "Customer";
DROP TABLE "Customer";
ALTER TABLE "new_Customer" RENAME TO "Customer";
CREATE INDEX "Customer_shopId_email_idx" ON "Customer"("shopId", "email");
CREATE INDEX "Customer_shopId_lifecycleStage_idx" ON "Customer"("shopId", "lifecycleStage");
CREATE UNIQUE INDEX "Customer_shopId_shopifyId_key" ON "Customer"("shopId", "shopifyId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
