import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";

// OAuth begin/callback and session-token bounce pages are handled inside authenticate.admin.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  try {
    await authenticate.admin(request);
  } catch (error) {
    // The library throws a plain error (not a Response) for an exit-iframe destination outside
    // the app and Shopify's admin: that is a bad request, not a server failure.
    if (!(error instanceof Response) && new URL(request.url).pathname === "/auth/exit-iframe") {
      return new Response("Invalid exit-iframe destination", {
        status: 400,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    throw error;
  }
  return null;
};
