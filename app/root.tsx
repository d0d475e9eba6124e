import type { LoaderFunctionArgs } from "@remix-run/node";
import {
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteLoaderData,
} from "@remix-run/react";
import { env } from "./env.server";

export const loader = async (_args: LoaderFunctionArgs) => {
  // The demo runs offline: it does not ask Shopify's CDN for the Inter font.
  return { loadShopifyFonts: !env.demo.enabled };
};

export default function App() {
  const { loadShopifyFonts } = useLoaderData<typeof loader>();
  // The admin's pages are in the language the app layout resolved (R-ADM-7); other pages in English.
  const admin = useRouteLoaderData<{ locale?: string }>("routes/app");
  return (
    <html lang={admin?.locale === "cs" ? "cs" : "en"}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        {/* Without an icon of its own the browser asks for /favicon.ico, which the app does not have. */}
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        {loadShopifyFonts ? (
          <>
            <link rel="preconnect" href="https://cdn.shopify.com/" />
            <link rel="stylesheet" href="https://cdn.shopify.com/static/fonts/inter/v4/styles.css" />
          </>
        ) : null}
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
