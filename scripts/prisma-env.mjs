// Environment every Prisma CLI call needs on machines without engine downloads: the CLI is told the
// engines exist (dummy files) and uses the WASM schema engine + driver adapters from prisma.config.ts.
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export function prismaCliEnv(baseEnv = process.env) {
  const dir = path.join(os.tmpdir(), "stayloop-prisma-engines");
  const dummy = path.join(dir, "unused-engine");
  if (!existsSync(dummy)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(dummy, "");
  }
  return {
    ...baseEnv,
    PRISMA_QUERY_ENGINE_LIBRARY: dummy,
    PRISMA_SCHEMA_ENGINE_BINARY: dummy,
    PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  };
}
