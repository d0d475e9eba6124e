// Bulk queries (R-EVT-7): start one, poll it until Shopify has finished, then stream its JSONL
// result line by line and put the children (lines with `__parentId`, e.g. an order's line items)
// back under their parent, so callers see whole records without holding the file in memory.
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { z } from "zod";
import type { AdminClient } from "./admin-client";
import { bulkOperationStatusQuery, runBulkQueryMutation } from "./admin-operations";

export type BulkOperationStatus =
  "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";

// UnsignedInt64 arrives as a string.
const unsignedInt = z.union([z.number(), z.string().regex(/^\d+$/)]).transform((value) => Number(value));

const bulkOperationSchema = z.object({
  id: z.string(),
  status: z.enum(["CREATED", "RUNNING", "COMPLETED", "FAILED", "CANCELING", "CANCELED", "EXPIRED"]),
  errorCode: z.string().nullish(),
  objectCount: unsignedInt.nullish(),
  rootObjectCount: unsignedInt.nullish(),
  fileSize: unsignedInt.nullish(),
  url: z.string().nullish(),
  partialDataUrl: z.string().nullish(),
});
export type BulkOperation = z.infer<typeof bulkOperationSchema>;

const runBulkQueryResponse = z.object({
  bulkOperationRunQuery: z.object({
    bulkOperation: z.object({ id: z.string(), status: bulkOperationSchema.shape.status }).nullable(),
    userErrors: z.array(
      z.object({ field: z.array(z.string()).nullish(), message: z.string(), code: z.string().nullish() }),
    ),
  }),
});

const bulkOperationStatusResponse = z.object({ bulkOperation: bulkOperationSchema.nullable() });

export class BulkOperationError extends Error {
  override name = "BulkOperationError";
}

const finished = new Set<BulkOperationStatus>(["COMPLETED", "FAILED", "CANCELED", "EXPIRED"]);

/** Starts a bulk query; returns its id. Shopify refuses invalid bulk queries with userErrors. */
export async function startBulkQuery(
  client: AdminClient,
  query: string,
  options: { groupObjects: boolean },
): Promise<string> {
  const result = await client.request(runBulkQueryMutation, {
    variables: { query, groupObjects: options.groupObjects },
    schema: runBulkQueryResponse,
  });
  const { bulkOperation, userErrors } = result.bulkOperationRunQuery;
  if (userErrors.length > 0 || !bulkOperation) {
    const problems = userErrors.map((error) => `${error.code ?? "error"}: ${error.message}`).join("; ");
    throw new BulkOperationError(`Shopify refused the bulk query: ${problems || "no operation returned"}`);
  }
  return bulkOperation.id;
}

export interface PollOptions {
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called with every status seen, e.g. to show objectCount while Shopify works. */
  onPoll?: (operation: BulkOperation) => void | Promise<void>;
}

/** Polls until the operation has finished one way or another; returns its final state. */
export async function waitForBulkOperation(
  client: AdminClient,
  id: string,
  options: PollOptions = {},
): Promise<BulkOperation> {
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const { bulkOperation } = await client.request(bulkOperationStatusQuery, {
      variables: { id },
      schema: bulkOperationStatusResponse,
    });
    if (!bulkOperation) throw new BulkOperationError(`bulk operation ${id} not found`);
    await options.onPoll?.(bulkOperation);
    if (finished.has(bulkOperation.status)) return bulkOperation;
    await sleep(pollIntervalMs);
  }
}

export type JsonObject = { [key: string]: unknown };

/** One root object of a bulk result with its children, keyed by their type ("LineItem", "ProductVariant"). */
export interface BulkRecord {
  node: JsonObject;
  children: Record<string, BulkRecord[]>;
}

/** "gid://shopify/LineItem/123" → "LineItem". */
export function gidType(gid: string): string {
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(gid);
  if (!match?.[1]) throw new BulkOperationError(`"${gid}" is not a Shopify global id`);
  return match[1];
}

/** Reads the JSONL at `url` line by line (never the whole file at once). */
export async function* readJsonLines(
  url: string,
  fetchImpl: typeof fetch = fetch,
): AsyncGenerator<JsonObject> {
  const response = await fetchImpl(url);
  if (!response.ok || !response.body) {
    throw new BulkOperationError(`downloading the bulk result failed: HTTP ${response.status}`);
  }
  const lines = createInterface({
    input: Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let number = 0;
  for await (const line of lines) {
    number += 1;
    if (line.trim() === "") continue;
    const value: unknown = JSON.parse(line);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new BulkOperationError(`bulk result line ${number} is not a JSON object`);
    }
    yield value as JsonObject;
  }
}

/**
 * Puts children back under their parents. With `grouped` (groupObjects: true) Shopify writes each
 * parent's children right after it, so a parent is complete when the next root line arrives and
 * memory stays bounded; otherwise children may come anywhere after their parent and every record
 * is held until the end of the file.
 */
export async function* assembleBulkRecords(
  lines: AsyncIterable<JsonObject>,
  options: { grouped: boolean },
): AsyncGenerator<BulkRecord> {
  const byId = new Map<string, BulkRecord>();
  const roots: BulkRecord[] = [];
  let current: BulkRecord | null = null;
  for await (const line of lines) {
    const { __parentId: parentId, ...node } = line;
    const record: BulkRecord = { node, children: {} };
    if (typeof parentId === "string") {
      const parent = byId.get(parentId);
      if (!parent) {
        throw new BulkOperationError(
          `bulk result: a child of ${parentId} is not ${options.grouped ? "in its parent's group" : "after its parent"}`,
        );
      }
      const type = typeof node.id === "string" ? gidType(node.id) : "Object";
      (parent.children[type] ??= []).push(record);
    } else if (options.grouped) {
      if (current) yield current;
      // Only the current root (and its descendants) can still receive children.
      byId.clear();
      current = record;
    } else {
      roots.push(record);
    }
    if (typeof node.id === "string") byId.set(node.id, record);
  }
  if (options.grouped) {
    if (current) yield current;
    return;
  }
  yield* roots;
}

export interface BulkQueryRun extends PollOptions {
  groupObjects: boolean;
  fetch?: typeof fetch;
  /** Called once the operation has started (e.g. to record its id). */
  onStarted?: (id: string) => void | Promise<void>;
}

/** Runs a bulk query to the end and yields its records. Throws when Shopify did not complete it. */
export async function* runBulkQuery(
  client: AdminClient,
  query: string,
  options: BulkQueryRun,
): AsyncGenerator<BulkRecord> {
  const id = await startBulkQuery(client, query, { groupObjects: options.groupObjects });
  await options.onStarted?.(id);
  const operation = await waitForBulkOperation(client, id, options);
  if (operation.status !== "COMPLETED") {
    throw new BulkOperationError(
      `bulk operation ${id} ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ""}`,
    );
  }
  // No url: the query matched nothing.
  if (!operation.url) return;
  yield* assembleBulkRecords(readJsonLines(operation.url, options.fetch), { grouped: options.groupObjects });
}
