-- CreateTable
CREATE TABLE "LoyaltyMember" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "pointsBalance" INTEGER NOT NULL DEFAULT 0,
    "pendingPoints" INTEGER NOT NULL DEFAULT 0,
    "lifetimePoints" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LoyaltyMember_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LoyaltyLedgerEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "pointsDelta" INTEGER NOT NULL,
    "pendingDelta" INTEGER NOT NULL DEFAULT 0,
    "balanceAfter" INTEGER NOT NULL,
    "pendingAfter" INTEGER NOT NULL,
    "shortfall" INTEGER NOT NULL DEFAULT 0,
    "reason" TEXT,
    "actor" TEXT,
    "occurredAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LoyaltyLedgerEntry_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "LoyaltyLedgerEntry_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "LoyaltyMember" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "LoyaltyMember_shopId_customerId_key" ON "LoyaltyMember"("shopId", "customerId");

-- CreateIndex
CREATE INDEX "LoyaltyLedgerEntry_memberId_occurredAt_idx" ON "LoyaltyLedgerEntry"("memberId", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "LoyaltyLedgerEntry_shopId_memberId_kind_source_sourceId_key" ON "LoyaltyLedgerEntry"("shopId", "memberId", "kind", "source", "sourceId");
