#!/usr/bin/env node
// Builds the storefront widget's script: extensions-src/loyalty-widget/stayloop-widget.js (readable,
// linted) → extensions/loyalty-widget/assets/stayloop-widget.js (minified; Shopify serves theme
// app extension assets as they are, and Theme Check's AssetSizeAppBlockJavaScript allows 10,000
// bytes per file). `--check` fails when the committed asset is not the build of the source.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const source = path.join(root, "extensions-src", "loyalty-widget", "stayloop-widget.js");
const target = path.join(root, "extensions", "loyalty-widget", "assets", "stayloop-widget.js");

export async function buildWidget() {
  const { code } = await transform(readFileSync(source, "utf8"), {
    minify: true,
    target: "es2019",
    legalComments: "none",
  });
  return `/* Stayloop rewards widget — built from extensions-src/loyalty-widget/stayloop-widget.js (npm run build:widget) */\n${code}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await buildWidget();
  if (process.argv.includes("--check")) {
    if (readFileSync(target, "utf8") !== built) {
      console.error(
        `${path.relative(root, target)} is not the build of its source: run npm run build:widget`,
      );
      process.exit(1);
    }
  } else {
    writeFileSync(target, built);
    console.log(`built ${path.relative(root, target)} (${Buffer.byteLength(built)} bytes)`);
  }
}
