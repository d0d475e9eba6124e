-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "affinities" JSONB,
ADD COLUMN     "atRiskAt" TIMESTAMP(3),
ADD COLUMN     "intelligenceAt" TIMESTAMP(3),
ADD COLUMN     "predictedClvMinor" BIGINT,
ADD COLUMN     "rfmFrequency" INTEGER,
ADD COLUMN     "rfmMonetary" INTEGER,
ADD COLUMN     "rfmRecency" INTEGER,
ADD COLUMN     "rfmSegment" TEXT,
ADD COLUMN     "typicalIntervalDays" DOUBLE PRECISION,
ADD COLUMN     "valueBand" TEXT;

-- CreateTable
CREATE TABLE "BrowseEvent" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "customerId" TEXT,
    "productShopifyId" TEXT,
    "variantShopifyId" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "evaluatedAt" TIMESTAMP(3),

    CONSTRAINT "BrowseEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NpsAnswer" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "orderId" TEXT,
    "messageId" TEXT,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "answeredAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NpsAnswer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductConsumption" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "productShopifyId" TEXT NOT NULL,
    "learnedIntervalDays" DOUBLE PRECISION,
    "repeatPairs" INTEGER NOT NULL DEFAULT 0,
    "overrideIntervalDays" DOUBLE PRECISION,
    "excluded" BOOLEAN NOT NULL DEFAULT false,
    "computedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProductConsumption_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Replenishment" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "productShopifyId" TEXT NOT NULL,
    "lastOrderId" TEXT NOT NULL,
    "lastPurchaseAt" TIMESTAMP(3) NOT NULL,
    "quantity" INTEGER NOT NULL,
    "intervalDays" DOUBLE PRECISION NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "remindAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "announcedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Replenishment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductInsight" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "productShopifyIds" JSONB NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProductInsight_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Segment" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Segment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IntelligenceSettings" (
    "shopId" TEXT NOT NULL,
    "atRiskMultiplier" DOUBLE PRECISION NOT NULL DEFAULT 2,
    "oneTimeFloorDays" INTEGER NOT NULL DEFAULT 90,
    "minimumRepeatPairs" INTEGER NOT NULL DEFAULT 5,
    "replenishmentLeadDays" INTEGER NOT NULL DEFAULT 3,
    "lastDailyRunAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IntelligenceSettings_pkey" PRIMARY KEY ("shopId")
);

-- CreateIndex
CREATE INDEX "BrowseEvent_shopId_customerId_occurredAt_idx" ON "BrowseEvent"("shopId", "customerId", "occurredAt");

-- CreateIndex
CREATE INDEX "BrowseEvent_shopId_clientId_occurredAt_idx" ON "BrowseEvent"("shopId", "clientId", "occurredAt");

-- CreateIndex
CREATE INDEX "BrowseEvent_type_evaluatedAt_occurredAt_idx" ON "BrowseEvent"("type", "evaluatedAt", "occurredAt");

-- CreateIndex
CREATE INDEX "BrowseEvent_occurredAt_idx" ON "BrowseEvent"("occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "BrowseEvent_shopId_eventId_key" ON "BrowseEvent"("shopId", "eventId");

-- CreateIndex
CREATE INDEX "NpsAnswer_shopId_answeredAt_idx" ON "NpsAnswer"("shopId", "answeredAt");

-- CreateIndex
CREATE UNIQUE INDEX "NpsAnswer_shopId_customerId_subjectKey_key" ON "NpsAnswer"("shopId", "customerId", "subjectKey");

-- CreateIndex
CREATE UNIQUE INDEX "ProductConsumption_shopId_productShopifyId_key" ON "ProductConsumption"("shopId", "productShopifyId");

-- CreateIndex
CREATE INDEX "Replenishment_status_remindAt_idx" ON "Replenishment"("status", "remindAt");

-- CreateIndex
CREATE UNIQUE INDEX "Replenishment_shopId_customerId_productShopifyId_key" ON "Replenishment"("shopId", "customerId", "productShopifyId");

-- CreateIndex
CREATE UNIQUE INDEX "ProductInsight_shopId_kind_key_key" ON "ProductInsight"("shopId", "kind", "key");

-- CreateIndex
CREATE UNIQUE INDEX "Segment_shopId_name_key" ON "Segment"("shopId", "name");

-- AddForeignKey
ALTER TABLE "BrowseEvent" ADD CONSTRAINT "BrowseEvent_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NpsAnswer" ADD CONSTRAINT "NpsAnswer_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductConsumption" ADD CONSTRAINT "ProductConsumption_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Replenishment" ADD CONSTRAINT "Replenishment_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductInsight" ADD CONSTRAINT "ProductInsight_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Segment" ADD CONSTRAINT "Segment_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IntelligenceSettings" ADD CONSTRAINT "IntelligenceSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
