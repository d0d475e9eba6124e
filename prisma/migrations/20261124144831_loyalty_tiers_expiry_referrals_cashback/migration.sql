-- AlterTable
ALTER TABLE "Order" ADD COLUMN "shippingAddressKey" TEXT;

-- AlterTable
ALTER TABLE "LoyaltyMember" ADD COLUMN "lastActivityAt" DATETIME;
ALTER TABLE "LoyaltyMember" ADD COLUMN "referralCode" TEXT;
ALTER TABLE "LoyaltyMember" ADD COLUMN "tierBelowSince" DATETIME;
ALTER TABLE "LoyaltyMember" ADD COLUMN "tierChangedAt" DATETIME;
ALTER TABLE "LoyaltyMember" ADD COLUMN "tierId" TEXT;

-- CreateTable
CREATE TABLE "Referral" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "referrerMemberId" TEXT NOT NULL,
    "friendCustomerId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "rejectedReason" TEXT,
    "orderId" TEXT,
    "qualifiesAt" DATETIME,
    "rewardedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Referral_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Referral_referrerMemberId_fkey" FOREIGN KEY ("referrerMemberId") REFERENCES "LoyaltyMember" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_LoyaltyProgram" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "pointsPerCurrencyUnit" INTEGER NOT NULL DEFAULT 1,
    "includeShipping" BOOLEAN NOT NULL DEFAULT false,
    "includeTaxes" BOOLEAN NOT NULL DEFAULT false,
    "pendingDays" INTEGER NOT NULL DEFAULT 14,
    "tierRules" JSONB,
    "expiryMonths" INTEGER,
    "expiryWarningDays" INTEGER NOT NULL DEFAULT 14,
    "signupPoints" INTEGER NOT NULL DEFAULT 0,
    "birthdayPoints" INTEGER NOT NULL DEFAULT 0,
    "reviewPoints" INTEGER NOT NULL DEFAULT 0,
    "referrerPoints" INTEGER NOT NULL DEFAULT 0,
    "friendPoints" INTEGER NOT NULL DEFAULT 0,
    "referralMonthlyLimit" INTEGER NOT NULL DEFAULT 10,
    "cashbackBasisPoints" INTEGER NOT NULL DEFAULT 0,
    "cashbackMethod" TEXT NOT NULL DEFAULT 'store_credit',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LoyaltyProgram_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_LoyaltyProgram" ("createdAt", "enabled", "id", "includeShipping", "includeTaxes", "pendingDays", "pointsPerCurrencyUnit", "shopId", "updatedAt") SELECT "createdAt", "enabled", "id", "includeShipping", "includeTaxes", "pendingDays", "pointsPerCurrencyUnit", "shopId", "updatedAt" FROM "LoyaltyProgram";
DROP TABLE "LoyaltyProgram";
ALTER TABLE "new_LoyaltyProgram" RENAME TO "LoyaltyProgram";
CREATE UNIQUE INDEX "LoyaltyProgram_shopId_key" ON "LoyaltyProgram"("shopId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Referral_shopId_referrerMemberId_status_idx" ON "Referral"("shopId", "referrerMemberId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Referral_shopId_friendCustomerId_key" ON "Referral"("shopId", "friendCustomerId");

-- CreateIndex
CREATE INDEX "LoyaltyMember_shopId_tierId_idx" ON "LoyaltyMember"("shopId", "tierId");

-- CreateIndex
CREATE INDEX "LoyaltyMember_shopId_lastActivityAt_idx" ON "LoyaltyMember"("shopId", "lastActivityAt");

-- CreateIndex
CREATE UNIQUE INDEX "LoyaltyMember_shopId_referralCode_key" ON "LoyaltyMember"("shopId", "referralCode");
