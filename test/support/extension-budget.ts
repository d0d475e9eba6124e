// The storefront extension's JavaScript budget (R-WID-1): each script a theme app extension ships
// at most 10,000 bytes (Shopify Theme Check's AssetSizeAppBlockJavaScript threshold), all of them
// together at most 10 KB gzipped.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

export const maxScriptBytes = 10_000;
export const maxGzippedBytes = 10 * 1024;

export interface ScriptBudget {
  files: { name: string; bytes: number; gzipped: number }[];
  totalGzipped: number;
  problems: string[];
}

export function scriptBudget(assetsDir: string): ScriptBudget {
  const files = readdirSync(assetsDir)
    .filter((name) => name.endsWith(".js"))
    .sort()
    .map((name) => {
      const content = readFileSync(path.join(assetsDir, name));
      return { name, bytes: content.length, gzipped: gzipSync(content, { level: 9 }).length };
    });
  const totalGzipped = files.reduce((sum, file) => sum + file.gzipped, 0);
  const problems = files
    .filter((file) => file.bytes > maxScriptBytes)
    .map((file) => `${file.name} is ${file.bytes} bytes (at most ${maxScriptBytes})`);
  if (totalGzipped > maxGzippedBytes) {
    problems.push(`the scripts are ${totalGzipped} bytes gzipped together (at most ${maxGzippedBytes})`);
  }
  return { files, totalGzipped, problems };
}
