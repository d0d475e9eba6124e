-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "emailConsentAt" TIMESTAMP(3),
ADD COLUMN     "smsConsentAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "WebhookInbox" ADD COLUMN     "payloadPurgedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "CashbackCredit" ADD COLUMN     "takeBackAfter" TEXT,
ADD COLUMN     "takeBackMinor" INTEGER,
ADD COLUMN     "takeBackStartedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ConsentChange" ADD COLUMN     "supersededAt" TIMESTAMP(3);

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

-- CreateTable
CREATE TABLE "InboundMessage" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "fromAddress" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "providerMessageId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CustomerDataExport_shopId_customerShopifyId_idx" ON "CustomerDataExport"("shopId", "customerShopifyId");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerDataExport_shopId_requestKey_key" ON "CustomerDataExport"("shopId", "requestKey");

-- CreateIndex
CREATE INDEX "InboundMessage_shopId_channel_fromAddress_receivedAt_idx" ON "InboundMessage"("shopId", "channel", "fromAddress", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_shopId_channel_providerMessageId_key" ON "InboundMessage"("shopId", "channel", "providerMessageId");

-- AddForeignKey
ALTER TABLE "CustomerDataExport" ADD CONSTRAINT "CustomerDataExport_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InboundMessage" ADD CONSTRAINT "InboundMessage_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
