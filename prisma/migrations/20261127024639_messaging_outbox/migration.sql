-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "flowId" TEXT,
    "purpose" TEXT NOT NULL,
    "channelOrder" TEXT NOT NULL,
    "content" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "channel" TEXT,
    "toAddress" TEXT,
    "tried" JSONB NOT NULL DEFAULT [],
    "scheduledFor" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "providerMessageId" TEXT,
    "lastError" TEXT,
    "sendingAt" DATETIME,
    "sentAt" DATETIME,
    "deliveredAt" DATETIME,
    "failedAt" DATETIME,
    "openedAt" DATETIME,
    "clickedAt" DATETIME,
    "opens" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "category" TEXT,
    "projectedCostMicros" INTEGER,
    "costMicros" INTEGER,
    "costCurrency" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Message_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MessagingSettings" (
    "shopId" TEXT NOT NULL PRIMARY KEY,
    "fromEmail" TEXT,
    "fromName" TEXT,
    "replyTo" TEXT,
    "quietStart" TEXT NOT NULL DEFAULT '21:00',
    "quietEnd" TEXT NOT NULL DEFAULT '08:00',
    "capMessages" INTEGER NOT NULL DEFAULT 1,
    "capHours" INTEGER NOT NULL DEFAULT 16,
    "channelOrder" TEXT NOT NULL DEFAULT 'email,sms,whatsapp',
    "fallbackAfterMinutes" INTEGER NOT NULL DEFAULT 240,
    "whatsappPricing" TEXT NOT NULL DEFAULT 'per_message',
    "whatsappRates" JSONB,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "MessagingSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConsentChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "messageId" TEXT,
    "occurredAt" DATETIME NOT NULL,
    "syncedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ConsentChange_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Message_shopId_customerId_purpose_sentAt_idx" ON "Message"("shopId", "customerId", "purpose", "sentAt");

-- CreateIndex
CREATE INDEX "Message_channel_providerMessageId_idx" ON "Message"("channel", "providerMessageId");

-- CreateIndex
CREATE INDEX "Message_shopId_flowId_sentAt_idx" ON "Message"("shopId", "flowId", "sentAt");

-- CreateIndex
CREATE UNIQUE INDEX "Message_shopId_idempotencyKey_key" ON "Message"("shopId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "ConsentChange_shopId_customerId_idx" ON "ConsentChange"("shopId", "customerId");
