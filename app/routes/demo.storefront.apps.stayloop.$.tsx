import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { systemClock } from "../clock";
import { demoShopperCookie } from "../demo/storefront.server";
import { env } from "../env.server";
import { signProxyQuery } from "../storefront/proxy-signature";

// /demo/storefront/apps/stayloop/* (demo mode only): a local stand-in for Shopify's App Proxy. Like
// Shopify it drops what the shopper sent in its own parameters' place (shop, customer, prefix,
// timestamp, signature), adds them from the "storefront session" (the demo's shopper cookie), signs
// the query with the app secret, leaves cookies behind, and forwards to the real /proxy/* routes.
const reserved = ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"];

async function forward(request: Request, path: string, clientAddress: string | undefined) {
  if (!env.demo.enabled) return new Response("Not Found", { status: 404 });
  const url = new URL(request.url);
  const query = new URLSearchParams(url.searchParams);
  for (const name of reserved) query.delete(name);
  const cookie = (request.headers.get("cookie") ?? "")
    .split(";")
    .map((part) => part.trim().split("="))
    .find(([key]) => key === demoShopperCookie)?.[1];
  query.append("shop", env.demo.shopDomain);
  query.append("logged_in_customer_id", cookie && /^\d{1,20}$/.test(cookie) ? cookie : "");
  query.append("path_prefix", "/apps/stayloop");
  // Shopify's own (real) time, whatever the demo's clock says.
  query.append("timestamp", String(Math.floor(systemClock.now().getTime() / 1000)));
  const signed = signProxyQuery(query, env.shopify.apiSecret);
  const post = request.method === "POST";
  const answer = await fetch(`${url.origin}/proxy/${path}?${signed}`, {
    method: request.method,
    headers: {
      accept: "application/json",
      "x-forwarded-for": clientAddress || "127.0.0.1",
      ...(post ? { "content-type": request.headers.get("content-type") ?? "application/json" } : {}),
    },
    ...(post ? { body: await request.arrayBuffer() } : {}),
  });
  const headers = new Headers();
  for (const name of ["content-type", "cache-control", "retry-after"]) {
    const value = answer.headers.get(name);
    if (value) headers.set(name, value);
  }
  return new Response(answer.body, { status: answer.status, headers });
}

export const loader = ({ request, params, context }: LoaderFunctionArgs) =>
  forward(request, params["*"] ?? "", context.clientAddress);

export const action = ({ request, params, context }: ActionFunctionArgs) =>
  forward(request, params["*"] ?? "", context.clientAddress);
