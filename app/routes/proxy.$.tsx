import { proxyError } from "../storefront/proxy.server";

// Anything else under /apps/stayloop/: a JSON 404 (the storefront's own 404 page is not ours to show).
export const loader = () => proxyError(404, "not_found", "no such storefront endpoint");
export const action = loader;
