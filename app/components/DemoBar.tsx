import { Link } from "@remix-run/react";
import { Banner, Box, InlineStack } from "@shopify/polaris";
import { fill, useMessages } from "../i18n/catalogue";
import { navigationMessages } from "../i18n/messages/navigation";

/** In the demo the Shopify admin's navigation is absent; this bar stands in for it and says so. */
export function DemoBar({ shopDomain }: { shopDomain: string }) {
  const words = useMessages(navigationMessages);
  return (
    <Box padding="400">
      <Banner tone="info" title={fill(words.demoShop, { shop: shopDomain })}>
        <InlineStack gap="400">
          <p>{words.demoLocalOnly}</p>
          <Link to="/app">{words.home}</Link>
          <Link to="/app/flows">{words.flows}</Link>
          <Link to="/app/loyalty">{words.loyalty}</Link>
          <Link to="/app/customers">{words.customers}</Link>
          <Link to="/app/messaging">{words.messaging}</Link>
          <Link to="/app/analytics">{words.analytics}</Link>
          <Link to="/app/settings">{words.settings}</Link>
          <span>
            {words.language}: <a href="?locale=en">English</a> · <a href="?locale=cs">Čeština</a>
          </span>
        </InlineStack>
      </Banner>
    </Box>
  );
}
