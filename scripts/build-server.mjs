#!/usr/bin/env node
// Bundles the web and worker entries (server/main.ts, server/worker.ts) into build/. Packages stay external;
// the Remix app itself is built by `remix vite:build` into build/server/index.js.
import { build } from "esbuild";

await build({
  entryPoints: { server: "server/main.ts", worker: "server/worker.ts" },
  outdir: "build",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
console.log("built build/server.js and build/worker.js");
