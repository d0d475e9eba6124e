-- AlterTable
ALTER TABLE "WebhookInbox" ADD COLUMN     "payloadPurgedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "CustomerDataExport" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "customerShopifyId" TEXT NOT NULL,
    "requestKey" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerDataExport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShopRedaction" (
    "domain" TEXT NOT NULL,
    "redactedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopRedaction_pkey" PRIMARY KEY ("domain")
);

-- CreateIndex
CREATE INDEX "CustomerDataExport_shopId_customerShopifyId_idx" ON "CustomerDataExport"("shopId", "customerShopifyId");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerDataExport_shopId_requestKey_key" ON "CustomerDataExport"("shopId", "requestKey");

-- AddForeignKey
ALTER TABLE "CustomerDataExport" ADD CONSTRAINT "CustomerDataExport_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
