// The words the messaging domain shares across its parts (templates, timing rules, channels,
// costs): which channel a message goes through and whether it needs marketing consent.
export const channels = ["email", "sms", "whatsapp"] as const;
export type Channel = (typeof channels)[number];

export function isChannel(value: string | null | undefined): value is Channel {
  return (channels as readonly (string | null | undefined)[]).includes(value);
}

/** Marketing messages need the customer's consent for the channel; transactional ones do not. */
export type MessagePurpose = "marketing" | "transactional";

/** A customer's marketing consent for one channel, as Shopify reports it. */
export type ConsentState = "subscribed" | "not_subscribed" | "unsubscribed" | "pending";
