// The `shopify` global of the module Shopify runs for each target (Shopify CLI writes the same file).
import "@shopify/ui-extensions";
import type { Api as OrderIndexApi } from "@shopify/ui-extensions/customer-account.order-index.block.render";
import type { Api as ProfileApi } from "@shopify/ui-extensions/customer-account.profile.block.render";

declare module "./src/LoyaltyBlock.tsx" {
  const shopify: ProfileApi | OrderIndexApi;
  const globalThis: { shopify: typeof shopify };
}
