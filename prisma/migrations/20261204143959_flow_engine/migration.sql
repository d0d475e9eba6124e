-- AlterTable
ALTER TABLE "Message" ADD COLUMN "flowRunId" TEXT;
ALTER TABLE "Message" ADD COLUMN "flowStepId" TEXT;

-- CreateTable
CREATE TABLE "Flow" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "currentVersion" INTEGER NOT NULL DEFAULT 1,
    "triggerEvent" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Flow_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FlowVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "FlowVersion_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FlowChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "staff" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    CONSTRAINT "FlowChange_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FlowRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "customerId" TEXT NOT NULL,
    "triggerKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "stepId" TEXT,
    "wakeAt" DATETIME,
    "runGroup" TEXT NOT NULL DEFAULT 'treatment',
    "variants" JSONB NOT NULL,
    "trigger" JSONB NOT NULL,
    "checkoutToken" TEXT,
    "email" TEXT,
    "since" DATETIME NOT NULL,
    "steps" INTEGER NOT NULL DEFAULT 0,
    "exitReason" TEXT,
    "startedAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "FlowRun_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "FlowRun_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FlowStepLog" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "stepId" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "detail" TEXT,
    "messageId" TEXT,
    "variant" TEXT,
    "at" DATETIME NOT NULL,
    CONSTRAINT "FlowStepLog_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FlowSettings" (
    "shopId" TEXT NOT NULL PRIMARY KEY,
    "attributionWindowMinutes" INTEGER NOT NULL DEFAULT 7200,
    "attributionBasis" TEXT NOT NULL DEFAULT 'send',
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "FlowSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DemoClock" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "simulated" DATETIME NOT NULL,
    "realAt" DATETIME NOT NULL,
    "speed" REAL NOT NULL
);

-- CreateIndex
CREATE INDEX "Flow_shopId_status_triggerEvent_idx" ON "Flow"("shopId", "status", "triggerEvent");

-- CreateIndex
CREATE INDEX "FlowVersion_shopId_idx" ON "FlowVersion"("shopId");

-- CreateIndex
CREATE UNIQUE INDEX "FlowVersion_flowId_version_key" ON "FlowVersion"("flowId", "version");

-- CreateIndex
CREATE INDEX "FlowChange_shopId_flowId_at_idx" ON "FlowChange"("shopId", "flowId", "at");

-- CreateIndex
CREATE INDEX "FlowRun_status_wakeAt_idx" ON "FlowRun"("status", "wakeAt");

-- CreateIndex
CREATE INDEX "FlowRun_shopId_customerId_status_idx" ON "FlowRun"("shopId", "customerId", "status");

-- CreateIndex
CREATE INDEX "FlowRun_shopId_checkoutToken_idx" ON "FlowRun"("shopId", "checkoutToken");

-- CreateIndex
CREATE INDEX "FlowRun_shopId_email_idx" ON "FlowRun"("shopId", "email");

-- CreateIndex
CREATE INDEX "FlowRun_shopId_flowId_startedAt_idx" ON "FlowRun"("shopId", "flowId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "FlowRun_shopId_flowId_customerId_triggerKey_key" ON "FlowRun"("shopId", "flowId", "customerId", "triggerKey");

-- CreateIndex
CREATE INDEX "FlowStepLog_shopId_flowId_stepId_idx" ON "FlowStepLog"("shopId", "flowId", "stepId");

-- CreateIndex
CREATE UNIQUE INDEX "FlowStepLog_runId_seq_key" ON "FlowStepLog"("runId", "seq");

-- CreateIndex
CREATE INDEX "Order_shopId_email_idx" ON "Order"("shopId", "email");

-- CreateIndex
CREATE INDEX "Message_flowRunId_idx" ON "Message"("flowRunId");
