-- CreateTable
CREATE TABLE "AnalyticsSettings" (
    "shopId" TEXT NOT NULL,
    "activityWindowDays" INTEGER NOT NULL DEFAULT 365,
    "expectedLifespanMonths" INTEGER NOT NULL DEFAULT 36,
    "profitMarginBasisPoints" INTEGER NOT NULL DEFAULT 3000,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AnalyticsSettings_pkey" PRIMARY KEY ("shopId")
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

    CONSTRAINT "AnalyticsOrder_pkey" PRIMARY KEY ("shopId","orderId")
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

    CONSTRAINT "AnalyticsCustomer_pkey" PRIMARY KEY ("shopId","customerId")
);

-- CreateTable
CREATE TABLE "AnalyticsSpell" (
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "activeFrom" INTEGER NOT NULL,
    "activeUntil" INTEGER NOT NULL,

    CONSTRAINT "AnalyticsSpell_pkey" PRIMARY KEY ("shopId","customerId","seq")
);

-- CreateTable
CREATE TABLE "AnalyticsDay" (
    "shopId" TEXT NOT NULL,
    "day" INTEGER NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenueMinor" BIGINT NOT NULL DEFAULT 0,
    "newCustomers" INTEGER NOT NULL DEFAULT 0,
    "activeDelta" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AnalyticsDay_pkey" PRIMARY KEY ("shopId","day")
);

-- CreateTable
CREATE TABLE "AnalyticsCohort" (
    "shopId" TEXT NOT NULL,
    "cohortMonth" INTEGER NOT NULL,
    "offset" INTEGER NOT NULL,
    "customers" INTEGER NOT NULL,

    CONSTRAINT "AnalyticsCohort_pkey" PRIMARY KEY ("shopId","cohortMonth","offset")
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

-- AddForeignKey
ALTER TABLE "AnalyticsSettings" ADD CONSTRAINT "AnalyticsSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsOrder" ADD CONSTRAINT "AnalyticsOrder_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsCustomer" ADD CONSTRAINT "AnalyticsCustomer_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsSpell" ADD CONSTRAINT "AnalyticsSpell_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsDay" ADD CONSTRAINT "AnalyticsDay_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalyticsCohort" ADD CONSTRAINT "AnalyticsCohort_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
