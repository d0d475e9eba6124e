-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "emailConsentAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "smsConsentAt" DATETIME;

-- AlterTable
ALTER TABLE "ConsentChange" ADD COLUMN "supersededAt" DATETIME;

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
CREATE INDEX "InboundMessage_shopId_channel_fromAddress_receivedAt_idx" ON "InboundMessage"("shopId", "channel", "fromAddress", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_shopId_channel_providerMessageId_key" ON "InboundMessage"("shopId", "channel", "providerMessageId");
