import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { env } from "../../env.server";

// Shopify opens the app at `/?shop=…&host=…`; the embedded app lives under /app.
// Anyone else is sent to the login form (or, in the demo, straight to the demo shop's admin).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (env.demo.enabled || url.searchParams.get("shop")) {
    throw redirect(`/app?${url.searchParams.toString()}`);
  }
  throw redirect("/auth/login");
};
