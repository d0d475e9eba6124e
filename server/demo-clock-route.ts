// GET /demo/clock and POST /demo/clock {"advanceMinutes": N}: read and move the demo's shared clock
// (app/demo/demo-clock.ts). Served in demo mode only (elsewhere the paths do not exist: 404) and
// only to this machine: a client that is not on loopback, a Host that is not a loopback name (DNS
// rebinding) or a browser Origin that is not a loopback page (cross-site form posts) gets 403.
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { maxAdvanceMinutes, type SharedDemoClock } from "../app/demo/demo-clock";
import { isLoopbackHost } from "../app/demo/guard";

export const advanceRequestSchema = z.strictObject({
  advanceMinutes: z.number().int().min(1).max(maxAdvanceMinutes),
});

/** What the route needs of the clock (a SharedDemoClock; unit tests pass a stand-in). */
export type DemoClockControl = Pick<SharedDemoClock, "now" | "speed" | "refresh" | "advance">;

export interface DemoClockRequest {
  method: string;
  /** The TCP peer, not a forwarded header. */
  remoteAddress: string | undefined;
  host: string | undefined;
  origin: string | undefined;
  body: Buffer;
}

export interface DemoClockAnswer {
  status: number;
  body: { now: string; speed: number } | { error: string };
}

const expected = `expected a JSON body {"advanceMinutes": N} with N a whole number from 1 to ${maxAdvanceMinutes}`;

function hostnameOf(value: string, withScheme: boolean): string | null {
  try {
    return new URL(withScheme ? value : `http://${value}`).hostname;
  } catch {
    return null;
  }
}

function fromThisMachine(request: DemoClockRequest): boolean {
  if (!request.remoteAddress || !isLoopbackHost(request.remoteAddress)) return false;
  const host = request.host ? hostnameOf(request.host, false) : null;
  if (host === null || !isLoopbackHost(host)) return false;
  if (request.origin === undefined) return true;
  const origin = hostnameOf(request.origin, true);
  return origin !== null && isLoopbackHost(origin);
}

export async function answerDemoClock(
  clock: DemoClockControl,
  request: DemoClockRequest,
): Promise<DemoClockAnswer> {
  if (!fromThisMachine(request)) {
    return { status: 403, body: { error: "the demo clock answers requests from this machine only" } };
  }
  if (request.method === "GET") {
    // Another process may have moved it since the last background reload.
    await clock.refresh();
    return { status: 200, body: { now: clock.now().toISOString(), speed: clock.speed } };
  }
  let json: unknown;
  try {
    json = JSON.parse(request.body.toString("utf8"));
  } catch {
    return { status: 400, body: { error: `the body is not JSON: ${expected}` } };
  }
  const parsed = advanceRequestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "body"}: ${issue.message}`,
    );
    return { status: 400, body: { error: `${problems.join("; ")} (${expected})` } };
  }
  const now = await clock.advance(parsed.data.advanceMinutes);
  return { status: 200, body: { now: now.toISOString(), speed: clock.speed } };
}

/** The fast route (server/app-server.ts) for both methods. */
export function demoClockRoute(clock: DemoClockControl) {
  return async (request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> => {
    const answer = await answerDemoClock(clock, {
      method: request.method ?? "GET",
      remoteAddress: request.socket.remoteAddress,
      host: request.headers.host,
      origin: request.headers.origin,
      body,
    });
    response.writeHead(answer.status, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    });
    response.end(JSON.stringify(answer.body));
  };
}
