import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import {
  demoLocales,
  demoShopperCookie,
  demoStorefrontPage,
  demoStorefrontPath,
  type DemoLocale,
} from "../demo/storefront.server";
import { env } from "../env.server";

const notFound = () => new Response("Not Found", { status: 404, headers: { "content-type": "text/plain" } });

function cookieValue(request: Request, name: string): string | null {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return null;
}

// GET /demo/storefront?locale=en|cs&shopper=<customer id>|guest (demo mode only): the sample shop
// page with the theme app extension's real blocks. Picking a shopper sets the demo's "logged-in"
// cookie (Shopify's storefront session in a real shop) and comes back to the page.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  if (!env.demo.enabled) return notFound();
  const url = new URL(request.url);
  const picked = url.searchParams.get("shopper");
  const language: DemoLocale = demoLocales.find((code) => code === url.searchParams.get("locale")) ?? "en";
  if (picked !== null) {
    const value = /^\d{1,20}$/.test(picked) ? picked : "";
    return new Response(null, {
      status: 303,
      headers: {
        location: `${demoStorefrontPath}?locale=${language}`,
        "set-cookie": `${demoShopperCookie}=${value}; Path=${demoStorefrontPath}; HttpOnly; SameSite=Lax`,
      },
    });
  }
  const html = await demoStorefrontPage(prisma, env.demo.shopDomain, {
    language,
    shopifyId: cookieValue(request, demoShopperCookie),
  });
  if (html === null) return notFound();
  return new Response(html, {
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
};
