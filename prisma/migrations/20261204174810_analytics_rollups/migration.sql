-- CreateTable
CREATE TABLE "AnalyticsSettings" (
    "shopId" TEXT NOT NULL PRIMARY KEY,
    "activityWindowDays" INTEGER NOT NULL DEFAULT 365,
    "expectedLifespanMonths" INTEGER NOT NULL DEFAULT 36,
    "profitMarginBasisPoints" INTEGER NOT NULL DEFAULT 3000,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AnalyticsSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AnalyticsOrder" (
    "shopId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "placedAt" BIGINT NOT NULL,
    "day" INTEGER NOT NULL,
    "month" INTEGER NOT NULL,
    "revenueMinor" BIGINT NOT NULL,
    "previousAt" BIGINT,
    "secondPreviousAt" BIGINT,

    PRIMARY KEY ("shopId", "orderId"),
    CONSTRAINT "AnalyticsOrder_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AnalyticsCustomer" (
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "firstOrderAt" BIGINT NOT NULL,
    "secondOrderAt" BIGINT,
    "firstDay" INTEGER NOT NULL,
    "cohortMonth" INTEGER NOT NULL,
    "orders" INTEGER NOT NULL,
    "revenueMinor" BIGINT NOT NULL,

    PRIMARY KEY ("shopId", "customerId"),
    CONSTRAINT "AnalyticsCustomer_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AnalyticsSpell" (
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "activeFrom" INTEGER NOT NULL,
    "activeUntil" INTEGER NOT NULL,

    PRIMARY KEY ("shopId", "customerId", "seq"),
    CONSTRAINT "AnalyticsSpell_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AnalyticsDay" (
    "shopId" TEXT NOT NULL,
    "day" INTEGER NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenueMinor" BIGINT NOT NULL DEFAULT 0,
    "newCustomers" INTEGER NOT NULL DEFAULT 0,
    "activeDelta" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("shopId", "day"),
    CONSTRAINT "AnalyticsDay_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AnalyticsCohort" (
    "shopId" TEXT NOT NULL,
    "cohortMonth" INTEGER NOT NULL,
    "offset" INTEGER NOT NULL,
    "customers" INTEGER NOT NULL,

    PRIMARY KEY ("shopId", "cohortMonth", "offset"),
    CONSTRAINT "AnalyticsCohort_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "AnalyticsOrder_shopId_customerId_idx" ON "AnalyticsOrder"("shopId", "customerId");

-- CreateIndex
CREATE INDEX "AnalyticsOrder_shopId_placedAt_previousAt_secondPreviousAt_idx" ON "AnalyticsOrder"("shopId", "placedAt", "previousAt", "secondPreviousAt");

-- CreateIndex
CREATE INDEX "AnalyticsCustomer_shopId_firstOrderAt_idx" ON "AnalyticsCustomer"("shopId", "firstOrderAt");

-- CreateIndex
CREATE INDEX "AnalyticsCustomer_shopId_revenueMinor_idx" ON "AnalyticsCustomer"("shopId", "revenueMinor");

-- CreateIndex
CREATE INDEX "AnalyticsSpell_shopId_activeUntil_activeFrom_seq_idx" ON "AnalyticsSpell"("shopId", "activeUntil", "activeFrom", "seq");
