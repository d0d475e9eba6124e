// Addresses a merchant types for a test send (Flows editor) are kept as customers of the shop so
// the real outbox can send to them; their Shopify id says so. They are not shoppers: the customers
// list, segments and the editor's customer search leave them out.
export const testRecipientPrefix = "stayloop-test-recipient:";

/** SQL condition on the Customer table: not a test recipient (the prefix is a constant, no input). */
export const notTestRecipientSql = `"shopifyId" NOT LIKE '${testRecipientPrefix}%'`;
