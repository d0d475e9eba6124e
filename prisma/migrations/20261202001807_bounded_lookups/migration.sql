-- CreateIndex
CREATE INDEX "Customer_phone_idx" ON "Customer"("phone");

-- CreateIndex
CREATE INDEX "LoyaltyLedgerEntry_shopId_occurredAt_createdAt_id_idx" ON "LoyaltyLedgerEntry"("shopId", "occurredAt", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Message_channel_toAddress_sentAt_idx" ON "Message"("channel", "toAddress", "sentAt");
