import type { LoaderFunctionArgs } from "@remix-run/node";
import { proxyPanel } from "../storefront/panel";
import { proxyDependencies } from "../storefront/proxy.server";

// GET /apps/stayloop/panel?amount= (Shopify → /proxy/panel, signed): the logged-in shopper's panel
// (balance, pending, tier, rewards, codes, history, referral link, birthday), or a guest's (how to
// join, what `amount` — a product's price or the cart, minor units — would earn). The web server
// answers this path on its fast path; this route serves it wherever that is not in front (tests of
// the Remix build alone, `remix vite:dev`).
export const loader = ({ request, context }: LoaderFunctionArgs) =>
  proxyPanel(request, context.clock, proxyDependencies());
