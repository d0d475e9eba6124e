-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "shippingAddressKey" TEXT;

-- AlterTable
ALTER TABLE "LoyaltyProgram" ADD COLUMN     "birthdayPoints" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "cashbackBasisPoints" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "cashbackMethod" TEXT NOT NULL DEFAULT 'store_credit',
ADD COLUMN     "expiryMonths" INTEGER,
ADD COLUMN     "expiryWarningDays" INTEGER NOT NULL DEFAULT 14,
ADD COLUMN     "friendPoints" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "referralMonthlyLimit" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "referrerPoints" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "reviewPoints" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "signupPoints" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "tierRules" JSONB;

-- AlterTable
ALTER TABLE "LoyaltyMember" ADD COLUMN     "lastActivityAt" TIMESTAMP(3),
ADD COLUMN     "referralCode" TEXT,
ADD COLUMN     "tierBelowSince" TIMESTAMP(3),
ADD COLUMN     "tierChangedAt" TIMESTAMP(3),
ADD COLUMN     "tierId" TEXT;

-- CreateTable
CREATE TABLE "Referral" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "referrerMemberId" TEXT NOT NULL,
    "friendCustomerId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "rejectedReason" TEXT,
    "orderId" TEXT,
    "qualifiesAt" TIMESTAMP(3),
    "rewardedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Referral_pkey" PRIMARY KEY ("id")
);

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

-- AddForeignKey
ALTER TABLE "Referral" ADD CONSTRAINT "Referral_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Referral" ADD CONSTRAINT "Referral_referrerMemberId_fkey" FOREIGN KEY ("referrerMemberId") REFERENCES "LoyaltyMember"("id") ON DELETE CASCADE ON UPDATE CASCADE;
