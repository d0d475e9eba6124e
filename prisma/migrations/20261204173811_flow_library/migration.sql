-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "affinities" JSONB;
ALTER TABLE "Customer" ADD COLUMN "atRiskAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "intelligenceAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "predictedClvMinor" BIGINT;
ALTER TABLE "Customer" ADD COLUMN "rfmFrequency" INTEGER;
ALTER TABLE "Customer" ADD COLUMN "rfmMonetary" INTEGER;
ALTER TABLE "Customer" ADD COLUMN "rfmRecency" INTEGER;
ALTER TABLE "Customer" ADD COLUMN "rfmSegment" TEXT;
ALTER TABLE "Customer" ADD COLUMN "typicalIntervalDays" REAL;
ALTER TABLE "Customer" ADD COLUMN "valueBand" TEXT;

-- CreateTable
CREATE TABLE "BrowseEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "customerId" TEXT,
    "productShopifyId" TEXT,
    "variantShopifyId" TEXT,
    "occurredAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "evaluatedAt" DATETIME,
    CONSTRAINT "BrowseEvent_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "NpsAnswer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "orderId" TEXT,
    "messageId" TEXT,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "answeredAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "NpsAnswer_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ProductConsumption" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "productShopifyId" TEXT NOT NULL,
    "learnedIntervalDays" REAL,
    "repeatPairs" INTEGER NOT NULL DEFAULT 0,
    "overrideIntervalDays" REAL,
    "excluded" BOOLEAN NOT NULL DEFAULT false,
    "computedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ProductConsumption_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Replenishment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "productShopifyId" TEXT NOT NULL,
    "lastOrderId" TEXT NOT NULL,
    "lastPurchaseAt" DATETIME NOT NULL,
    "quantity" INTEGER NOT NULL,
    "intervalDays" REAL NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "remindAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "announcedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Replenishment_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ProductInsight" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "productShopifyIds" JSONB NOT NULL,
    "computedAt" DATETIME NOT NULL,
    CONSTRAINT "ProductInsight_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Segment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Segment_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "IntelligenceSettings" (
    "shopId" TEXT NOT NULL PRIMARY KEY,
    "atRiskMultiplier" REAL NOT NULL DEFAULT 2,
    "oneTimeFloorDays" INTEGER NOT NULL DEFAULT 90,
    "minimumRepeatPairs" INTEGER NOT NULL DEFAULT 5,
    "replenishmentLeadDays" INTEGER NOT NULL DEFAULT 3,
    "lastDailyRunAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "IntelligenceSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
