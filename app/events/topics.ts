// The webhook topics Stayloop subscribes to (shopify.app.toml, R-EVT-1).
export const eventTopics = [
  "checkouts/create",
  "checkouts/update",
  "orders/create",
  "orders/paid",
  "orders/updated",
  "orders/fulfilled",
  "orders/cancelled",
  "refunds/create",
  "customers/create",
  "customers/update",
  "customers/delete",
  "app/uninstalled",
] as const;

export const complianceTopics = ["customers/data_request", "customers/redact", "shop/redact"] as const;

export type WebhookTopic = (typeof eventTopics)[number] | (typeof complianceTopics)[number];

const known = new Set<string>([...eventTopics, ...complianceTopics]);

export function isKnownTopic(topic: string): topic is WebhookTopic {
  return known.has(topic);
}
