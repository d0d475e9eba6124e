-- CreateIndex
CREATE INDEX "Message_shopId_createdAt_idx" ON "Message"("shopId", "createdAt");

-- CreateIndex
CREATE INDEX "FlowStepLog_shopId_flowId_at_idx" ON "FlowStepLog"("shopId", "flowId", "at");
