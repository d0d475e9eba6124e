import { Link } from "@remix-run/react";
import { Banner, Box, InlineStack } from "@shopify/polaris";

/** In the demo the Shopify admin's navigation is absent; this bar stands in for it and says so. */
export function DemoBar({ shopDomain }: { shopDomain: string }) {
  return (
    <Box padding="400">
      <Banner tone="info" title={`Demo shop: ${shopDomain}`}>
        <InlineStack gap="400">
          <p>Local data only — no Shopify account is involved.</p>
          <Link to="/app">Home</Link>
          <Link to="/app/analytics">Analytics</Link>
          <Link to="/app/loyalty">Loyalty</Link>
          <Link to="/app/messaging">Messaging</Link>
        </InlineStack>
      </Banner>
    </Box>
  );
}
