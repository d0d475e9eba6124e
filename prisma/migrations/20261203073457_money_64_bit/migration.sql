-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Customer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "locale" TEXT,
    "countryCode" TEXT,
    "timezone" TEXT,
    "birthday" TEXT,
    "tags" TEXT NOT NULL DEFAULT '',
    "emailConsent" TEXT NOT NULL DEFAULT 'not_subscribed',
    "smsConsent" TEXT NOT NULL DEFAULT 'not_subscribed',
    "whatsappConsent" TEXT NOT NULL DEFAULT 'not_subscribed',
    "emailConsentAt" DATETIME,
    "smsConsentAt" DATETIME,
    "firstOrderAt" DATETIME,
    "lastOrderAt" DATETIME,
    "ordersCount" INTEGER NOT NULL DEFAULT 0,
    "totalSpentMinor" BIGINT NOT NULL DEFAULT 0,
    "averageOrderValueMinor" BIGINT NOT NULL DEFAULT 0,
    "currency" TEXT,
    "lifecycleStage" TEXT NOT NULL DEFAULT 'lead',
    "shopifyUpdatedAt" DATETIME,
    "redactedAt" DATETIME,
    "deletedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Customer_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Customer" ("averageOrderValueMinor", "birthday", "countryCode", "createdAt", "currency", "deletedAt", "email", "emailConsent", "emailConsentAt", "firstName", "firstOrderAt", "id", "lastName", "lastOrderAt", "lifecycleStage", "locale", "ordersCount", "phone", "redactedAt", "shopId", "shopifyId", "shopifyUpdatedAt", "smsConsent", "smsConsentAt", "tags", "timezone", "totalSpentMinor", "updatedAt", "whatsappConsent") SELECT "averageOrderValueMinor", "birthday", "countryCode", "createdAt", "currency", "deletedAt", "email", "emailConsent", "emailConsentAt", "firstName", "firstOrderAt", "id", "lastName", "lastOrderAt", "lifecycleStage", "locale", "ordersCount", "phone", "redactedAt", "shopId", "shopifyId", "shopifyUpdatedAt", "smsConsent", "smsConsentAt", "tags", "timezone", "totalSpentMinor", "updatedAt", "whatsappConsent" FROM "Customer";
DROP TABLE "Customer";
ALTER TABLE "new_Customer" RENAME TO "Customer";
CREATE INDEX "Customer_shopId_email_idx" ON "Customer"("shopId", "email");
CREATE INDEX "Customer_shopId_lifecycleStage_idx" ON "Customer"("shopId", "lifecycleStage");
CREATE INDEX "Customer_phone_idx" ON "Customer"("phone");
CREATE UNIQUE INDEX "Customer_shopId_shopifyId_key" ON "Customer"("shopId", "shopifyId");
CREATE TABLE "new_Order" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "customerId" TEXT,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "currency" TEXT NOT NULL,
    "subtotalMinor" BIGINT NOT NULL,
    "totalDiscountsMinor" BIGINT NOT NULL DEFAULT 0,
    "totalShippingMinor" BIGINT NOT NULL DEFAULT 0,
    "totalTaxMinor" BIGINT NOT NULL DEFAULT 0,
    "totalMinor" BIGINT NOT NULL,
    "refundedMinor" BIGINT NOT NULL DEFAULT 0,
    "financialStatus" TEXT,
    "fulfillmentStatus" TEXT,
    "checkoutToken" TEXT,
    "sourceName" TEXT,
    "shippingAddressKey" TEXT,
    "processedAt" DATETIME NOT NULL,
    "cancelledAt" DATETIME,
    "shopifyUpdatedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Order_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Order_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Order" ("cancelledAt", "checkoutToken", "createdAt", "currency", "customerId", "email", "financialStatus", "fulfillmentStatus", "id", "name", "processedAt", "refundedMinor", "shippingAddressKey", "shopId", "shopifyId", "shopifyUpdatedAt", "sourceName", "subtotalMinor", "totalDiscountsMinor", "totalMinor", "totalShippingMinor", "totalTaxMinor", "updatedAt") SELECT "cancelledAt", "checkoutToken", "createdAt", "currency", "customerId", "email", "financialStatus", "fulfillmentStatus", "id", "name", "processedAt", "refundedMinor", "shippingAddressKey", "shopId", "shopifyId", "shopifyUpdatedAt", "sourceName", "subtotalMinor", "totalDiscountsMinor", "totalMinor", "totalShippingMinor", "totalTaxMinor", "updatedAt" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE INDEX "Order_shopId_customerId_processedAt_idx" ON "Order"("shopId", "customerId", "processedAt");
CREATE INDEX "Order_shopId_checkoutToken_idx" ON "Order"("shopId", "checkoutToken");
CREATE UNIQUE INDEX "Order_shopId_shopifyId_key" ON "Order"("shopId", "shopifyId");
CREATE TABLE "new_OrderLine" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "productShopifyId" TEXT,
    "variantShopifyId" TEXT,
    "title" TEXT NOT NULL,
    "variantTitle" TEXT,
    "sku" TEXT,
    "quantity" INTEGER NOT NULL,
    "priceMinor" BIGINT NOT NULL,
    "totalDiscountMinor" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "OrderLine_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "OrderLine_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_OrderLine" ("id", "orderId", "priceMinor", "productShopifyId", "quantity", "shopId", "shopifyId", "sku", "title", "totalDiscountMinor", "variantShopifyId", "variantTitle") SELECT "id", "orderId", "priceMinor", "productShopifyId", "quantity", "shopId", "shopifyId", "sku", "title", "totalDiscountMinor", "variantShopifyId", "variantTitle" FROM "OrderLine";
DROP TABLE "OrderLine";
ALTER TABLE "new_OrderLine" RENAME TO "OrderLine";
CREATE INDEX "OrderLine_orderId_idx" ON "OrderLine"("orderId");
CREATE INDEX "OrderLine_shopId_productShopifyId_idx" ON "OrderLine"("shopId", "productShopifyId");
CREATE UNIQUE INDEX "OrderLine_shopId_shopifyId_key" ON "OrderLine"("shopId", "shopifyId");
CREATE TABLE "new_Refund" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "orderShopifyId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "lineItems" JSONB NOT NULL,
    "processedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Refund_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Refund" ("amountMinor", "createdAt", "currency", "id", "lineItems", "orderShopifyId", "processedAt", "shopId", "shopifyId") SELECT "amountMinor", "createdAt", "currency", "id", "lineItems", "orderShopifyId", "processedAt", "shopId", "shopifyId" FROM "Refund";
DROP TABLE "Refund";
ALTER TABLE "new_Refund" RENAME TO "Refund";
CREATE INDEX "Refund_shopId_orderShopifyId_idx" ON "Refund"("shopId", "orderShopifyId");
CREATE UNIQUE INDEX "Refund_shopId_shopifyId_key" ON "Refund"("shopId", "shopifyId");
CREATE TABLE "new_Checkout" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "customerId" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "currency" TEXT NOT NULL,
    "subtotalMinor" BIGINT NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "abandonedCheckoutUrl" TEXT,
    "lineItems" JSONB NOT NULL,
    "completedAt" DATETIME,
    "shopifyUpdatedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Checkout_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Checkout_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Checkout" ("abandonedCheckoutUrl", "completedAt", "createdAt", "currency", "customerId", "email", "id", "lineItems", "phone", "shopId", "shopifyId", "shopifyUpdatedAt", "subtotalMinor", "token", "totalMinor", "updatedAt") SELECT "abandonedCheckoutUrl", "completedAt", "createdAt", "currency", "customerId", "email", "id", "lineItems", "phone", "shopId", "shopifyId", "shopifyUpdatedAt", "subtotalMinor", "token", "totalMinor", "updatedAt" FROM "Checkout";
DROP TABLE "Checkout";
ALTER TABLE "new_Checkout" RENAME TO "Checkout";
CREATE INDEX "Checkout_shopId_shopifyId_idx" ON "Checkout"("shopId", "shopifyId");
CREATE UNIQUE INDEX "Checkout_shopId_token_key" ON "Checkout"("shopId", "token");
CREATE TABLE "new_ProductVariant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "sku" TEXT,
    "priceMinor" BIGINT NOT NULL,
    "imageUrl" TEXT,
    CONSTRAINT "ProductVariant_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ProductVariant_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ProductVariant" ("id", "imageUrl", "priceMinor", "productId", "shopId", "shopifyId", "sku", "title") SELECT "id", "imageUrl", "priceMinor", "productId", "shopId", "shopifyId", "sku", "title" FROM "ProductVariant";
DROP TABLE "ProductVariant";
ALTER TABLE "new_ProductVariant" RENAME TO "ProductVariant";
CREATE INDEX "ProductVariant_productId_idx" ON "ProductVariant"("productId");
CREATE UNIQUE INDEX "ProductVariant_shopId_shopifyId_key" ON "ProductVariant"("shopId", "shopifyId");
CREATE TABLE "new_LoyaltyMember" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "pointsBalance" BIGINT NOT NULL DEFAULT 0,
    "pendingPoints" BIGINT NOT NULL DEFAULT 0,
    "lifetimePoints" BIGINT NOT NULL DEFAULT 0,
    "tierId" TEXT,
    "tierBelowSince" DATETIME,
    "tierChangedAt" DATETIME,
    "lastActivityAt" DATETIME,
    "referralCode" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LoyaltyMember_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "LoyaltyMember_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_LoyaltyMember" ("createdAt", "customerId", "id", "lastActivityAt", "lifetimePoints", "pendingPoints", "pointsBalance", "referralCode", "shopId", "tierBelowSince", "tierChangedAt", "tierId", "updatedAt") SELECT "createdAt", "customerId", "id", "lastActivityAt", "lifetimePoints", "pendingPoints", "pointsBalance", "referralCode", "shopId", "tierBelowSince", "tierChangedAt", "tierId", "updatedAt" FROM "LoyaltyMember";
DROP TABLE "LoyaltyMember";
ALTER TABLE "new_LoyaltyMember" RENAME TO "LoyaltyMember";
CREATE INDEX "LoyaltyMember_shopId_tierId_idx" ON "LoyaltyMember"("shopId", "tierId");
CREATE INDEX "LoyaltyMember_shopId_lastActivityAt_idx" ON "LoyaltyMember"("shopId", "lastActivityAt");
CREATE UNIQUE INDEX "LoyaltyMember_shopId_customerId_key" ON "LoyaltyMember"("shopId", "customerId");
CREATE UNIQUE INDEX "LoyaltyMember_shopId_referralCode_key" ON "LoyaltyMember"("shopId", "referralCode");
CREATE TABLE "new_LoyaltyReward" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "pointsCost" BIGINT NOT NULL,
    "amountMinor" BIGINT,
    "currency" TEXT,
    "percentOff" INTEGER,
    "variantShopifyId" TEXT,
    "minimumSubtotalMinor" BIGINT,
    "validDays" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LoyaltyReward_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_LoyaltyReward" ("active", "amountMinor", "createdAt", "currency", "id", "kind", "minimumSubtotalMinor", "name", "percentOff", "pointsCost", "shopId", "updatedAt", "validDays", "variantShopifyId") SELECT "active", "amountMinor", "createdAt", "currency", "id", "kind", "minimumSubtotalMinor", "name", "percentOff", "pointsCost", "shopId", "updatedAt", "validDays", "variantShopifyId" FROM "LoyaltyReward";
DROP TABLE "LoyaltyReward";
ALTER TABLE "new_LoyaltyReward" RENAME TO "LoyaltyReward";
CREATE INDEX "LoyaltyReward_shopId_active_idx" ON "LoyaltyReward"("shopId", "active");
CREATE TABLE "new_Redemption" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "rewardId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "points" BIGINT NOT NULL,
    "code" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'issuing',
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "discountId" TEXT,
    "endsAt" DATETIME,
    "lastError" TEXT,
    "issuedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Redemption_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Redemption_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "LoyaltyMember" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Redemption_rewardId_fkey" FOREIGN KEY ("rewardId") REFERENCES "LoyaltyReward" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Redemption" ("attempts", "code", "createdAt", "discountId", "endsAt", "id", "idempotencyKey", "issuedAt", "lastError", "memberId", "points", "rewardId", "shopId", "status", "updatedAt") SELECT "attempts", "code", "createdAt", "discountId", "endsAt", "id", "idempotencyKey", "issuedAt", "lastError", "memberId", "points", "rewardId", "shopId", "status", "updatedAt" FROM "Redemption";
DROP TABLE "Redemption";
ALTER TABLE "new_Redemption" RENAME TO "Redemption";
CREATE INDEX "Redemption_shopId_memberId_idx" ON "Redemption"("shopId", "memberId");
CREATE UNIQUE INDEX "Redemption_shopId_idempotencyKey_key" ON "Redemption"("shopId", "idempotencyKey");
CREATE UNIQUE INDEX "Redemption_shopId_code_key" ON "Redemption"("shopId", "code");
CREATE TABLE "new_CashbackCredit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "issuedMinor" BIGINT NOT NULL DEFAULT 0,
    "reversedMinor" BIGINT NOT NULL DEFAULT 0,
    "unrecoveredMinor" BIGINT NOT NULL DEFAULT 0,
    "takeBackMinor" BIGINT,
    "takeBackAfter" TEXT,
    "takeBackStartedAt" DATETIME,
    "transactionId" TEXT,
    "code" TEXT,
    "discountId" TEXT,
    "lastError" TEXT,
    "issuedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CashbackCredit_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_CashbackCredit" ("amountMinor", "code", "createdAt", "currency", "customerId", "discountId", "id", "issuedAt", "issuedMinor", "lastError", "method", "orderId", "reversedMinor", "shopId", "status", "takeBackAfter", "takeBackMinor", "takeBackStartedAt", "transactionId", "unrecoveredMinor", "updatedAt") SELECT "amountMinor", "code", "createdAt", "currency", "customerId", "discountId", "id", "issuedAt", "issuedMinor", "lastError", "method", "orderId", "reversedMinor", "shopId", "status", "takeBackAfter", "takeBackMinor", "takeBackStartedAt", "transactionId", "unrecoveredMinor", "updatedAt" FROM "CashbackCredit";
DROP TABLE "CashbackCredit";
ALTER TABLE "new_CashbackCredit" RENAME TO "CashbackCredit";
CREATE INDEX "CashbackCredit_shopId_customerId_idx" ON "CashbackCredit"("shopId", "customerId");
CREATE UNIQUE INDEX "CashbackCredit_shopId_orderId_key" ON "CashbackCredit"("shopId", "orderId");
CREATE TABLE "new_LoyaltyLedgerEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "pointsDelta" BIGINT NOT NULL,
    "pendingDelta" BIGINT NOT NULL DEFAULT 0,
    "balanceAfter" BIGINT NOT NULL,
    "pendingAfter" BIGINT NOT NULL,
    "shortfall" BIGINT NOT NULL DEFAULT 0,
    "basisMinor" BIGINT,
    "reason" TEXT,
    "actor" TEXT,
    "occurredAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LoyaltyLedgerEntry_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "LoyaltyLedgerEntry_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "LoyaltyMember" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_LoyaltyLedgerEntry" ("actor", "balanceAfter", "basisMinor", "createdAt", "id", "kind", "memberId", "occurredAt", "pendingAfter", "pendingDelta", "pointsDelta", "reason", "shopId", "shortfall", "source", "sourceId") SELECT "actor", "balanceAfter", "basisMinor", "createdAt", "id", "kind", "memberId", "occurredAt", "pendingAfter", "pendingDelta", "pointsDelta", "reason", "shopId", "shortfall", "source", "sourceId" FROM "LoyaltyLedgerEntry";
DROP TABLE "LoyaltyLedgerEntry";
ALTER TABLE "new_LoyaltyLedgerEntry" RENAME TO "LoyaltyLedgerEntry";
CREATE INDEX "LoyaltyLedgerEntry_memberId_occurredAt_idx" ON "LoyaltyLedgerEntry"("memberId", "occurredAt");
CREATE INDEX "LoyaltyLedgerEntry_shopId_occurredAt_createdAt_id_idx" ON "LoyaltyLedgerEntry"("shopId", "occurredAt", "createdAt", "id");
CREATE UNIQUE INDEX "LoyaltyLedgerEntry_shopId_memberId_kind_source_sourceId_key" ON "LoyaltyLedgerEntry"("shopId", "memberId", "kind", "source", "sourceId");
CREATE TABLE "new_Message" (
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
    "projectedCostMicros" BIGINT,
    "costMicros" BIGINT,
    "costCurrency" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Message_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Message" ("attempts", "category", "channel", "channelOrder", "clickedAt", "clicks", "content", "costCurrency", "costMicros", "createdAt", "customerId", "deliveredAt", "failedAt", "flowId", "id", "idempotencyKey", "lastError", "openedAt", "opens", "projectedCostMicros", "providerMessageId", "purpose", "scheduledFor", "sendingAt", "sentAt", "shopId", "status", "toAddress", "tried", "updatedAt") SELECT "attempts", "category", "channel", "channelOrder", "clickedAt", "clicks", "content", "costCurrency", "costMicros", "createdAt", "customerId", "deliveredAt", "failedAt", "flowId", "id", "idempotencyKey", "lastError", "openedAt", "opens", "projectedCostMicros", "providerMessageId", "purpose", "scheduledFor", "sendingAt", "sentAt", "shopId", "status", "toAddress", "tried", "updatedAt" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE INDEX "Message_shopId_customerId_purpose_sentAt_idx" ON "Message"("shopId", "customerId", "purpose", "sentAt");
CREATE INDEX "Message_channel_providerMessageId_idx" ON "Message"("channel", "providerMessageId");
CREATE INDEX "Message_channel_toAddress_sentAt_idx" ON "Message"("channel", "toAddress", "sentAt");
CREATE INDEX "Message_shopId_flowId_sentAt_idx" ON "Message"("shopId", "flowId", "sentAt");
CREATE UNIQUE INDEX "Message_shopId_idempotencyKey_key" ON "Message"("shopId", "idempotencyKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
