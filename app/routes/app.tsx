import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError, type ShouldRevalidateFunction } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { requireAdmin } from "../admin.server";
import { DemoBar } from "../components/DemoBar";
import { env } from "../env.server";
import { useMessages } from "../i18n/catalogue";
import { resolveAdminLocale } from "../i18n/locale";
import { navigationMessages } from "../i18n/messages/navigation";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, session } = await requireAdmin(request);
  return {
    apiKey: env.shopify.apiKey,
    demo: env.demo.enabled ? { shopDomain: shop.domain } : null,
    locale: resolveAdminLocale({
      url: request.url,
      staffLocale: session.onlineAccessInfo?.associated_user.locale,
      shopLocale: shop.locale,
    }),
  };
};

// The layout's data (key, demo, language) does not change with a save: it is loaded again only when
// the admin opens the app with another `locale`, so the language chosen on opening stays.
export const shouldRevalidate: ShouldRevalidateFunction = ({
  currentUrl,
  nextUrl,
  defaultShouldRevalidate,
}) =>
  nextUrl.searchParams.get("locale") !== currentUrl.searchParams.get("locale") &&
  nextUrl.searchParams.has("locale")
    ? defaultShouldRevalidate
    : false;

export default function App() {
  const { apiKey, demo } = useLoaderData<typeof loader>();
  const words = useMessages(navigationMessages);
  return (
    // Outside Shopify admin (the demo) App Bridge is not loaded: its script comes from Shopify's CDN.
    <AppProvider isEmbeddedApp={demo === null} apiKey={apiKey}>
      {demo ? (
        <DemoBar shopDomain={demo.shopDomain} />
      ) : (
        <NavMenu>
          <Link to="/app" rel="home">
            {words.home}
          </Link>
          <Link to="/app/flows">{words.flows}</Link>
          <Link to="/app/loyalty">{words.loyalty}</Link>
          <Link to="/app/customers">{words.customers}</Link>
          <Link to="/app/messaging">{words.messaging}</Link>
          <Link to="/app/settings">{words.settings}</Link>
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
