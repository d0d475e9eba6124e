import { readFile } from "node:fs/promises";
import path from "node:path";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { demoAssetsDir } from "../demo/storefront.server";
import { env } from "../env.server";

const types: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

// GET /demo/storefront/assets/<file> (demo mode only): the theme app extension's own assets, as
// Shopify's CDN would serve them.
export const loader = async ({ params }: LoaderFunctionArgs) => {
  const name = params.name ?? "";
  const match = /^[a-z0-9-]+\.(js|css)$/.exec(name);
  if (!env.demo.enabled || !match?.[1]) return new Response("Not Found", { status: 404 });
  try {
    const body = await readFile(path.join(demoAssetsDir, name));
    return new Response(body, {
      headers: { "content-type": types[match[1]] ?? "text/plain", "cache-control": "no-cache" },
    });
  } catch {
    return new Response("Not Found", { status: 404 });
  }
};
