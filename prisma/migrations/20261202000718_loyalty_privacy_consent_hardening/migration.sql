-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "emailConsentAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "smsConsentAt" DATETIME;

-- AlterTable
ALTER TABLE "WebhookInbox" ADD COLUMN "payloadPurgedAt" DATETIME;

-- AlterTable
ALTER TABLE "CashbackCredit" ADD COLUMN "takeBackAfter" TEXT;
ALTER TABLE "CashbackCredit" ADD COLUMN "takeBackMinor" INTEGER;
ALTER TABLE "CashbackCredit" ADD COLUMN "takeBackStartedAt" DATETIME;

-- AlterTable
ALTER TABLE "ConsentChange" ADD COLUMN "supersededAt" DATETIME;

-- CreateTable
CREATE TABLE "CustomerDataExport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerShopifyId" TEXT NOT NULL,
    "requestKey" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "CustomerDataExport_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ShopRedaction" (
    "domain" TEXT NOT NULL PRIMARY KEY,
    "redactedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "InboundMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "fromAddress" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "providerMessageId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "InboundMessage_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "CustomerDataExport_shopId_customerShopifyId_idx" ON "CustomerDataExport"("shopId", "customerShopifyId");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerDataExport_shopId_requestKey_key" ON "CustomerDataExport"("shopId", "requestKey");

-- CreateIndex
CREATE INDEX "InboundMessage_shopId_channel_fromAddress_receivedAt_idx" ON "InboundMessage"("shopId", "channel", "fromAddress", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_shopId_channel_providerMessageId_key" ON "InboundMessage"("shopId", "channel", "providerMessageId");
