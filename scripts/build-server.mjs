#!/usr/bin/env node
// Bundles the HTTP server entry (server/main.ts) into build/server.js. Packages stay external;
// the Remix app itself is built by `remix vite:build` into build/server/index.js.
import { build } from "esbuild";

await build({
  entryPoints: { server: "server/main.ts" },
  outdir: "build",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
console.log("built build/server.js");
