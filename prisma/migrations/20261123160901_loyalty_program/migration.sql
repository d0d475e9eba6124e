-- AlterTable
ALTER TABLE "LoyaltyLedgerEntry" ADD COLUMN "basisMinor" INTEGER;

-- CreateTable
CREATE TABLE "LoyaltyProgram" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "pointsPerCurrencyUnit" INTEGER NOT NULL DEFAULT 1,
    "includeShipping" BOOLEAN NOT NULL DEFAULT false,
    "includeTaxes" BOOLEAN NOT NULL DEFAULT false,
    "pendingDays" INTEGER NOT NULL DEFAULT 14,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LoyaltyProgram_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_LoyaltyMember" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "pointsBalance" INTEGER NOT NULL DEFAULT 0,
    "pendingPoints" INTEGER NOT NULL DEFAULT 0,
    "lifetimePoints" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LoyaltyMember_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "LoyaltyMember_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_LoyaltyMember" ("createdAt", "customerId", "id", "lifetimePoints", "pendingPoints", "pointsBalance", "shopId", "updatedAt") SELECT "createdAt", "customerId", "id", "lifetimePoints", "pendingPoints", "pointsBalance", "shopId", "updatedAt" FROM "LoyaltyMember";
DROP TABLE "LoyaltyMember";
ALTER TABLE "new_LoyaltyMember" RENAME TO "LoyaltyMember";
CREATE UNIQUE INDEX "LoyaltyMember_shopId_customerId_key" ON "LoyaltyMember"("shopId", "customerId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "LoyaltyProgram_shopId_key" ON "LoyaltyProgram"("shopId");
