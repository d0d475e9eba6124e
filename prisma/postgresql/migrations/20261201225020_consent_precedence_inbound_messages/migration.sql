-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "emailConsentAt" TIMESTAMP(3),
ADD COLUMN     "smsConsentAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ConsentChange" ADD COLUMN     "supersededAt" TIMESTAMP(3);

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
CREATE INDEX "InboundMessage_shopId_channel_fromAddress_receivedAt_idx" ON "InboundMessage"("shopId", "channel", "fromAddress", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_shopId_channel_providerMessageId_key" ON "InboundMessage"("shopId", "channel", "providerMessageId");

-- AddForeignKey
ALTER TABLE "InboundMessage" ADD CONSTRAINT "InboundMessage_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
