// The demo's shared clock (demo mode only, docs/decisions/009-demo-clock.md). The web and worker
// processes read one simulated time from one DemoClock row, so a flow's one-hour wait passes in
// seconds and `POST /demo/clock` moves both processes forward at once.
//
// The row is an anchor: at real time `realAt` the simulated time was `simulated`, and from there it
// runs `speed` simulated seconds per real second. Each process keeps the anchor in memory, computes
// `now()` from it without touching the database (the Clock interface is synchronous), and reloads
// it in the background every few hundred milliseconds. Every change of the row is a compare-and-set
// on the whole anchor, retried on a conflict, so two processes advancing at once both count.
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";

/** The one row of the DemoClock table. */
export const demoClockId = "demo";

/** Simulated seconds per real second when STAYLOOP_DEMO_SPEED is not set: an hour passes in 6 s. */
export const defaultDemoSpeed = 600;
/** The largest speed accepted (a year passes in about 30 real seconds). */
export const maxDemoSpeed = 1_000_000;
/** The most one advance may move the clock: a year. */
export const maxAdvanceMinutes = 525_600;
/** How often a process reloads the anchor another process may have moved. */
export const defaultRefreshMs = 250;

/** STAYLOOP_DEMO_SPEED: simulated seconds per real second; 0 moves only when advanced. */
export const demoSpeedSchema = z.preprocess(
  (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
  z.coerce
    .number()
    .min(0, "must be 0 or more (0: the clock moves only when advanced)")
    .max(maxDemoSpeed, `must be at most ${maxDemoSpeed}`)
    .default(defaultDemoSpeed),
);

export interface DemoClockAnchor {
  /** Simulated time at `realAt`. */
  simulated: Date;
  realAt: Date;
  /** Simulated seconds per real second from `realAt`. */
  speed: number;
}

export class DemoClockError extends Error {
  override name = "DemoClockError";
}

// ---------------------------------------------------------------------------------------------
// Arithmetic (pure)

/** The simulated time, in epoch milliseconds, at real time `realMs`. */
export function simulatedTimeAt(anchor: DemoClockAnchor, realMs: number): number {
  return Math.floor(anchor.simulated.getTime() + (realMs - anchor.realAt.getTime()) * anchor.speed);
}

/** The same line anchored at `realMs` (and from there at `speed`), moved `minutes` forward. */
export function reanchored(
  anchor: DemoClockAnchor,
  realMs: number,
  options: { minutes?: number; speed?: number } = {},
): DemoClockAnchor {
  return {
    simulated: new Date(simulatedTimeAt(anchor, realMs) + (options.minutes ?? 0) * 60_000),
    realAt: new Date(realMs),
    speed: options.speed ?? anchor.speed,
  };
}

export function assertAdvanceMinutes(minutes: number): void {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > maxAdvanceMinutes) {
    throw new DemoClockError(
      `advanceMinutes must be a whole number from 1 to ${maxAdvanceMinutes}, got ${String(minutes)}`,
    );
  }
}

/**
 * A clock computed from a cached anchor and a real-time source. It never goes backwards: a newer
 * anchor that would put it behind a time it already gave (another process re-anchored a little
 * differently, the real-time source stepped back) holds it there until time catches up.
 */
export class AnchoredClock implements Clock {
  private latest = Number.NEGATIVE_INFINITY;

  constructor(
    private current: DemoClockAnchor,
    private readonly realTime: () => number = Date.now,
  ) {}

  now(): Date {
    this.latest = Math.max(this.latest, simulatedTimeAt(this.current, this.realTime()));
    return new Date(this.latest);
  }

  get anchor(): DemoClockAnchor {
    return this.current;
  }

  /** Replaces the anchor (as read from the database); `now()` still never goes backwards. */
  adopt(anchor: DemoClockAnchor): void {
    this.current = anchor;
  }
}

// ---------------------------------------------------------------------------------------------
// The row

const anchorFields = { simulated: true, realAt: true, speed: true } as const;

export async function readDemoClock(db: Database): Promise<DemoClockAnchor | null> {
  return db.demoClock.findUnique({ where: { id: demoClockId }, select: anchorFields });
}

/**
 * Replaces the row by `change(current)` only if nobody changed it meanwhile; on a conflict reads
 * the row again and retries. Returns the anchor written.
 */
async function changeDemoClock(
  db: Database,
  change: (current: DemoClockAnchor) => DemoClockAnchor,
): Promise<DemoClockAnchor> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const current = await readDemoClock(db);
    if (!current) throw new DemoClockError("the demo clock has no row: open it first (openDemoClock)");
    const next = change(current);
    const { count } = await db.demoClock.updateMany({
      where: { id: demoClockId, ...current },
      data: next,
    });
    if (count === 1) return next;
  }
  throw new DemoClockError("the demo clock kept changing under this update (50 attempts)");
}

/**
 * The row, created at the real time if missing; if its speed is not `speed`, re-anchored at the
 * current simulated time with `speed` (the time shown does not jump). Both processes call it at
 * start with the same speed; the second finds nothing to do.
 */
export async function ensureDemoClock(db: Database, speed: number, realNow: Date): Promise<DemoClockAnchor> {
  let current = await readDemoClock(db);
  if (!current) {
    const created = { simulated: realNow, realAt: realNow, speed };
    try {
      await db.demoClock.create({ data: { id: demoClockId, ...created } });
      return created;
    } catch (error) {
      // The other process created it first: use theirs.
      if (!isUniqueViolation(error)) throw error;
    }
    current = await readDemoClock(db);
    if (!current) throw new DemoClockError("the demo clock row vanished while it was created");
  }
  if (current.speed === speed) return current;
  return changeDemoClock(db, (row) => reanchored(row, realNow.getTime(), { speed }));
}

/**
 * Moves the shared clock `minutes` forward: re-anchors at `realNow` on the time it shows then, plus
 * `minutes`. Concurrent advances all count (compare-and-set, retried).
 */
export async function advanceDemoClock(
  db: Database,
  minutes: number,
  realNow: Date,
): Promise<DemoClockAnchor> {
  assertAdvanceMinutes(minutes);
  return changeDemoClock(db, (row) => reanchored(row, realNow.getTime(), { minutes }));
}

/**
 * Writes down the time shown now (same line, anchored at `realNow`), so a later `resumeDemoClock`
 * continues from here. The web process does it when it stops.
 */
export async function checkpointDemoClock(db: Database, realNow: Date): Promise<DemoClockAnchor> {
  return changeDemoClock(db, (row) => reanchored(row, realNow.getTime()));
}

/**
 * `npm run demo` at start, before the processes run: the clock stood still while the demo was
 * stopped, so it continues from the last anchor written (a checkpoint or an advance) at `speed`.
 * Without a row, the clock starts at the real time.
 */
export async function resumeDemoClock(db: Database, speed: number, realNow: Date): Promise<DemoClockAnchor> {
  if (!(await readDemoClock(db))) return ensureDemoClock(db, speed, realNow);
  return changeDemoClock(db, (row) => ({ simulated: row.simulated, realAt: realNow, speed }));
}

// ---------------------------------------------------------------------------------------------
// A process's view of the shared clock

export interface SharedDemoClockOptions {
  /** The speed this process asks for (STAYLOOP_DEMO_SPEED); the row keeps one speed for all. */
  speed: number;
  /** Real time in epoch milliseconds; tests inject their own. */
  realTime?: () => number;
  /** How often the anchor is reloaded; 0 turns the background reload off (tests call refresh()). */
  refreshMs?: number;
  /** A background reload failed (the last anchor stays in use). */
  onRefreshError?: (error: unknown) => void;
}

/**
 * The shared clock as one process sees it: `now()` from the anchor in memory, reloaded every
 * `refreshMs` and right after an advance made through this process. Reads and writes of the row
 * by this instance run one at a time, in order, so an older read never replaces a newer anchor.
 */
export class SharedDemoClock implements Clock {
  private readonly clock: AnchoredClock;
  private readonly realTime: () => number;
  private queue: Promise<unknown> = Promise.resolve();
  private refreshing = false;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly db: Database,
    anchor: DemoClockAnchor,
    private readonly options: SharedDemoClockOptions,
  ) {
    this.realTime = options.realTime ?? Date.now;
    this.clock = new AnchoredClock(anchor, this.realTime);
  }

  /** Creates the row if missing (see ensureDemoClock), loads it and starts the background reload. */
  static async open(db: Database, options: SharedDemoClockOptions): Promise<SharedDemoClock> {
    const realTime = options.realTime ?? Date.now;
    const anchor = await ensureDemoClock(db, options.speed, new Date(realTime()));
    const shared = new SharedDemoClock(db, anchor, options);
    const refreshMs = options.refreshMs ?? defaultRefreshMs;
    if (refreshMs > 0) {
      shared.timer = setInterval(() => shared.backgroundRefresh(), refreshMs);
      shared.timer.unref();
    }
    return shared;
  }

  now(): Date {
    return this.clock.now();
  }

  /** Simulated seconds per real second, as of the last anchor read. */
  get speed(): number {
    return this.clock.anchor.speed;
  }

  /** Reloads the anchor from the row now. */
  refresh(): Promise<void> {
    return this.serially(async () => {
      const anchor = await readDemoClock(this.db);
      if (anchor) this.clock.adopt(anchor);
    });
  }

  /** Moves the shared clock `minutes` forward (see advanceDemoClock); returns the new time here. */
  advance(minutes: number): Promise<Date> {
    return this.serially(async () => {
      this.clock.adopt(await advanceDemoClock(this.db, minutes, new Date(this.realTime())));
      return this.clock.now();
    });
  }

  /** Writes down the time shown now (see checkpointDemoClock). */
  checkpoint(): Promise<void> {
    return this.serially(async () => {
      this.clock.adopt(await checkpointDemoClock(this.db, new Date(this.realTime())));
    });
  }

  /** Stops the background reload; `now()` keeps working from the last anchor. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private backgroundRefresh(): void {
    // A slow database must not pile up reloads.
    if (this.refreshing) return;
    this.refreshing = true;
    this.refresh()
      .catch((error: unknown) => this.options.onRefreshError?.(error))
      .finally(() => (this.refreshing = false));
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
