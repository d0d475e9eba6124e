-- AlterTable
ALTER TABLE "WebhookInbox" ADD COLUMN "payloadPurgedAt" DATETIME;

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

-- CreateIndex
CREATE INDEX "CustomerDataExport_shopId_customerShopifyId_idx" ON "CustomerDataExport"("shopId", "customerShopifyId");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerDataExport_shopId_requestKey_key" ON "CustomerDataExport"("shopId", "requestKey");
