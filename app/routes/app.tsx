import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { requireAdmin } from "../admin.server";
import { DemoBar } from "../components/DemoBar";
import { env } from "../env.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  return {
    apiKey: env.shopify.apiKey,
    demo: env.demo.enabled ? { shopDomain: shop.domain } : null,
  };
};

export default function App() {
  const { apiKey, demo } = useLoaderData<typeof loader>();
  return (
    // Outside Shopify admin (the demo) App Bridge is not loaded: its script comes from Shopify's CDN.
    <AppProvider isEmbeddedApp={demo === null} apiKey={apiKey}>
      {demo ? (
        <DemoBar shopDomain={demo.shopDomain} />
      ) : (
        <NavMenu>
          <Link to="/app" rel="home">
            Home
          </Link>
          <Link to="/app/analytics">Analytics</Link>
          <Link to="/app/loyalty">Loyalty</Link>
          <Link to="/app/messaging">Messaging</Link>
        </NavMenu>
      )}
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so that their headers are included.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
