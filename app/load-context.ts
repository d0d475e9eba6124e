// What the web server (server/app-server.ts) hands every Remix loader and action as `context`.
import type { Clock } from "./clock";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The process's clock: the system clock, or the shared demo clock in demo mode. */
    clock: Clock;
    /** The address the request came from (the socket's peer; behind a proxy, the proxy's). */
    clientAddress?: string;
  }
}

export {};
