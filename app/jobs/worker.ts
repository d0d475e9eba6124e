// The one job loop (R-EVT-4, ARCHITECTURE principle 1): claims stored webhook deliveries and due
// jobs in batches; store events (customers, orders, refunds, checkouts) are applied a batch per
// transaction (app/events/process-batch.ts), the rarer deliveries and jobs each in its own
// transaction. Retries failures with exponential
// backoff, parks a row as failed after N attempts with its error visible, heartbeats, releases
// the claims of dead workers, and stops cleanly between two rows on SIGTERM.
import os from "node:os";
import type { Job, WebhookInbox } from "@prisma/client";
import type { Clock } from "../clock";
import { sqlConnectionOf, type Database } from "../db/client";
import type { DomainEventSubscriber } from "../events/domain-events";
import { isBatchTopic, processDeliveryBatch } from "../events/process-batch";
import { PermanentDeliveryError, processDelivery } from "../events/process-delivery";
import type { Logger } from "../observability/logger";
import { histogram } from "../observability/metrics";
import type { SqlConnection } from "../db/sql";
import { claimDeliveries, claimJobs, releaseDeadClaims } from "./claims";
import { lastErrorText } from "./last-error";

export const workerBatchDuration = histogram(
  "stayloop_worker_batch_duration_seconds",
  "Time the worker spends on one claimed batch, by kind (deliveries, jobs, sweep)",
  ["kind"] as const,
  [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
);

export type JobHandler = ((job: Job, db: Database) => Promise<void>) & {
  /**
   * Runs when the job is parked as failed (its last attempt failed), before the job is marked, so
   * what the job was for does not wait forever. It may run again (a crash before the mark).
   */
  onParked?: (job: Job, db: Database, error: unknown) => Promise<void>;
  /**
   * Handles many claimed jobs of this kind at once (hot paths): it marks the ones it finished done
   * in the same transaction (markJobsDone), and hands back those that failed and those to be run
   * one by one by the handler itself.
   */
  batch?: (jobs: readonly Job[], context: BatchJobContext) => Promise<BatchJobOutcome>;
};

export interface BatchJobContext {
  db: Database;
  sql: SqlConnection;
  workerId: string;
  now: Date;
}

export interface BatchJobOutcome {
  /** Ids of the jobs the batch finished and marked done. */
  done: string[];
  failed: { job: Job; error: unknown }[];
  /** Jobs the batch left for the one-by-one handler. */
  single: Job[];
}

/**
 * Work the worker looks for on every tick besides deliveries and jobs, e.g. flow runs whose timer
 * ran out: it claims and finishes up to `limit` items itself and says how many it took.
 */
export type WorkerSweep = (context: BatchJobContext & { limit: number }) => Promise<number>;

export interface WorkerOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  workerId?: string;
  batchSize?: number;
  /** Attempts before a row is parked as failed. */
  maxAttempts?: number;
  /** First retry delay; doubles with every attempt, capped at maxRetryDelayMs. */
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  /** A worker silent for this long is presumed dead and its claims are released. */
  staleAfterMs?: number;
  subscribers?: readonly DomainEventSubscriber[];
  jobHandlers?: Readonly<Record<string, JobHandler>>;
  sweeps?: readonly WorkerSweep[];
  /** The driver connection for batch paths; by default the one beside `db` (sqlConnectionOf). */
  sql?: SqlConnection;
  /**
   * Real time, for heartbeats and telling dead workers from live ones: it must pass at the same
   * rate for every worker whatever `clock` does (the demo's clock runs faster). Defaults to `clock`.
   */
  livenessClock?: Clock;
}

export function retryDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

export class Worker {
  readonly id: string;
  private readonly options: Required<Omit<WorkerOptions, "workerId" | "sql" | "livenessClock">>;
  private readonly livenessClock: Clock;
  /** The driver connection beside `db`, for claims and the batch paths. */
  private readonly sql: SqlConnection;
  private lastDeadClaimCheck = Number.NEGATIVE_INFINITY;
  private readonly startedAt: Date;

  constructor(options: WorkerOptions) {
    this.id = options.workerId ?? `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    this.options = {
      batchSize: 50,
      maxAttempts: 8,
      retryBaseMs: 10_000,
      maxRetryDelayMs: 60 * 60 * 1000,
      staleAfterMs: 60_000,
      subscribers: [],
      jobHandlers: {},
      sweeps: [],
      ...options,
    };
    this.livenessClock = options.livenessClock ?? options.clock;
    this.startedAt = this.livenessClock.now();
    this.sql = options.sql ?? sqlConnectionOf(options.db);
  }

  async heartbeat(): Promise<void> {
    const now = this.livenessClock.now();
    await this.options.db.workerHeartbeat.upsert({
      where: { id: this.id },
      create: {
        id: this.id,
        hostname: os.hostname(),
        pid: process.pid,
        startedAt: this.startedAt,
        lastBeatAt: now,
      },
      update: { lastBeatAt: now },
    });
  }

  /** Claims and processes one batch of deliveries and one of jobs; returns how many rows it handled. */
  async tick(shouldStop: () => boolean = () => false): Promise<number> {
    const { db, clock, batchSize, staleAfterMs } = this.options;
    // Dead workers' claims are looked for a few times per stale window, not on every tick.
    const now = this.livenessClock.now().getTime();
    if (now - this.lastDeadClaimCheck >= Math.min(5_000, staleAfterMs / 4)) {
      await releaseDeadClaims(db, this.livenessClock.now(), staleAfterMs);
      this.lastDeadClaimCheck = now;
    }

    let handled = 0;
    let stopped = true;
    try {
      const deliveries = await claimDeliveries(this.sql, {
        workerId: this.id,
        now: clock.now(),
        limit: batchSize,
      });
      if (deliveries.length > 0) {
        const stopTimer = workerBatchDuration.startTimer({ kind: "deliveries" });
        handled += await this.handleDeliveries(deliveries, shouldStop);
        stopTimer();
      }
      if (shouldStop()) return handled;
      const jobs = await claimJobs(this.sql, { workerId: this.id, now: clock.now(), limit: batchSize });
      if (jobs.length > 0) {
        const stopTimer = workerBatchDuration.startTimer({ kind: "jobs" });
        handled += await this.handleJobs(jobs, shouldStop);
        stopTimer();
      }
      for (const sweep of this.options.sweeps) {
        if (shouldStop()) break;
        const stopTimer = workerBatchDuration.startTimer({ kind: "sweep" });
        handled += await sweep({ db, sql: this.sql, workerId: this.id, now: clock.now(), limit: batchSize });
        stopTimer();
      }
      stopped = shouldStop();
    } finally {
      // Claimed but not started (stopping, or the tick failed): hand back at once rather than
      // waiting to look dead.
      if (stopped) await this.releaseOwnClaims();
    }
    return handled;
  }

  /** Runs until `signal` aborts: heartbeats, then ticks; sleeps `idleMs` when there is nothing to do. */
  async run(signal: AbortSignal, idleMs = 500, heartbeatMs = 5_000): Promise<void> {
    await this.heartbeat();
    const beat = setInterval(() => {
      this.heartbeat().catch((error: unknown) =>
        this.options.logger.error({ err: error }, "heartbeat failed"),
      );
    }, heartbeatMs);
    try {
      while (!signal.aborted) {
        let handled = 0;
        try {
          handled = await this.tick(() => signal.aborted);
        } catch (error) {
          this.options.logger.error({ err: error }, "worker tick failed");
        }
        if (handled === 0 && !signal.aborted) await sleep(idleMs, signal);
      }
    } finally {
      clearInterval(beat);
      await this.releaseOwnClaims();
      await this.options.db.workerHeartbeat.deleteMany({ where: { id: this.id } });
    }
  }

  private async releaseOwnClaims(): Promise<void> {
    const { db } = this.options;
    await db.webhookInbox.updateMany({
      where: { status: "processing", claimedBy: this.id },
      data: { status: "pending", claimedBy: null, claimedAt: null, attempts: { decrement: 1 } },
    });
    await db.job.updateMany({
      where: { status: "claimed", claimedBy: this.id },
      data: { status: "scheduled", claimedBy: null, claimedAt: null, attempts: { decrement: 1 } },
    });
  }

  /**
   * The claimed deliveries in arrival order: each run of store events as one batch, anything else
   * one by one between them (so a deletion or a redaction still comes after what arrived before it).
   */
  private async handleDeliveries(
    claimed: readonly WebhookInbox[],
    shouldStop: () => boolean,
  ): Promise<number> {
    const { db, clock, subscribers, logger } = this.options;
    let handled = 0;
    let batch: WebhookInbox[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const outcome = await processDeliveryBatch(batch, {
        db,
        sql: this.sql,
        clock,
        subscribers,
        workerId: this.id,
      });
      for (const { delivery, error } of outcome.failed) await this.recordDeliveryFailure(delivery, error);
      for (const delivery of outcome.deferred) await this.handleDelivery(delivery);
      logger.debug({ done: outcome.done.length, failed: outcome.failed.length }, "delivery batch processed");
      handled += batch.length;
      batch = [];
    };
    for (const delivery of claimed) {
      if (isBatchTopic(delivery.topic)) {
        batch.push(delivery);
        continue;
      }
      await flush();
      if (shouldStop()) return handled;
      await this.handleDelivery(delivery);
      handled += 1;
    }
    if (!shouldStop()) await flush();
    return handled;
  }

  private async handleDelivery(delivery: WebhookInbox): Promise<void> {
    const { db, clock, logger, subscribers } = this.options;
    const id = delivery.id;
    try {
      await processDelivery(delivery, { db, clock, subscribers, workerId: this.id });
    } catch (error) {
      await this.recordDeliveryFailure(delivery, error);
      return;
    }
    logger.debug({ id, topic: delivery.topic, shop: delivery.shopDomain }, "delivery processed");
  }

  private async recordDeliveryFailure(delivery: WebhookInbox, error: unknown): Promise<void> {
    const { db, clock, logger, maxAttempts, retryBaseMs, maxRetryDelayMs } = this.options;
    const message = error instanceof Error ? error.message : String(error);
    const permanent = error instanceof PermanentDeliveryError;
    const parked = permanent || delivery.attempts >= maxAttempts;
    const now = clock.now();
    await db.webhookInbox.updateMany({
      where: { id: delivery.id, claimedBy: this.id },
      data: {
        status: parked ? "failed" : "pending",
        lastError: lastErrorText(error),
        claimedBy: null,
        claimedAt: null,
        availableAt: parked
          ? delivery.availableAt
          : new Date(now.getTime() + retryDelayMs(delivery.attempts, retryBaseMs, maxRetryDelayMs)),
        processedAt: parked ? now : null,
      },
    });
    const log = {
      id: delivery.id,
      topic: delivery.topic,
      shop: delivery.shopDomain,
      webhookId: delivery.webhookId,
      attempts: delivery.attempts,
      error: message,
    };
    if (parked)
      logger.error(
        log,
        permanent ? "webhook delivery rejected: cannot be applied" : "webhook delivery failed for good",
      );
    else logger.warn(log, "webhook delivery failed; will retry");
  }

  /** The claimed jobs: kinds with a batch handler a batch per kind, the others one by one. */
  private async handleJobs(claimed: readonly Job[], shouldStop: () => boolean): Promise<number> {
    const { db, clock, jobHandlers } = this.options;
    const batches = new Map<string, Job[]>();
    const single: Job[] = [];
    for (const job of claimed) {
      if (!jobHandlers[job.kind]?.batch) {
        single.push(job);
        continue;
      }
      const list = batches.get(job.kind) ?? [];
      list.push(job);
      batches.set(job.kind, list);
    }
    let handled = 0;
    for (const [kind, jobs] of batches) {
      if (shouldStop()) return handled;
      const handler = jobHandlers[kind] as JobHandler & Required<Pick<JobHandler, "batch">>;
      let outcome: BatchJobOutcome;
      try {
        outcome = await handler.batch(jobs, { db, sql: this.sql, workerId: this.id, now: clock.now() });
      } catch (error) {
        // The batch as a whole failed (nothing of it committed): each job on its own finds out.
        outcome = { done: [], failed: [], single: jobs };
        this.options.logger.warn({ kind, err: error }, "job batch failed; running its jobs one by one");
      }
      for (const { job, error } of outcome.failed) await this.recordJobFailure(job, handler, error);
      single.push(...outcome.single);
      handled += jobs.length - outcome.single.length;
    }
    for (const job of single) {
      if (shouldStop()) break;
      await this.handleJob(job);
      handled += 1;
    }
    return handled;
  }

  private async handleJob(job: Job): Promise<void> {
    const { db, clock, jobHandlers } = this.options;
    const id = job.id;
    const handler = jobHandlers[job.kind];
    try {
      if (!handler) throw new Error(`no handler for job kind "${job.kind}"`);
      await handler(job, db);
      await db.job.updateMany({
        where: { id, claimedBy: this.id },
        data: { status: "done", finishedAt: clock.now(), claimedBy: null, lastError: null },
      });
    } catch (error) {
      await this.recordJobFailure(job, handler, error);
    }
  }

  private async recordJobFailure(job: Job, handler: JobHandler | undefined, error: unknown): Promise<void> {
    const { db, clock, logger, maxAttempts, retryBaseMs, maxRetryDelayMs } = this.options;
    const id = job.id;
    const message = error instanceof Error ? error.message : String(error);
    // The shop uninstalled Stayloop meanwhile: its work waits for a reinstall (reinstallShop)
    // instead of burning its attempts — this one did not count.
    const { count: paused } = await db.job.updateMany({
      where: { id, claimedBy: this.id, shop: { uninstalledAt: { not: null } } },
      data: {
        status: "paused",
        lastError: `paused: app uninstalled (${lastErrorText(error)})`.slice(0, 2000),
        claimedBy: null,
        claimedAt: null,
        attempts: { decrement: 1 },
      },
    });
    if (paused === 1) {
      logger.info({ id, kind: job.kind, error: message }, "job paused: the shop uninstalled Stayloop");
      return;
    }
    const parked = !handler || job.attempts >= Math.min(job.maxAttempts, maxAttempts);
    if (parked && handler?.onParked) {
      await handler
        .onParked(job, db, error)
        .catch((hookError: unknown) =>
          logger.error(
            { id, kind: job.kind, err: hookError },
            "job parked; its failure could not be recorded",
          ),
        );
    }
    const now = clock.now();
    await db.job.updateMany({
      where: { id, claimedBy: this.id },
      data: {
        status: parked ? "failed" : "scheduled",
        lastError: lastErrorText(error),
        claimedBy: null,
        claimedAt: null,
        runAt: parked
          ? job.runAt
          : new Date(now.getTime() + retryDelayMs(job.attempts, retryBaseMs, maxRetryDelayMs)),
        finishedAt: parked ? now : null,
      },
    });
    logger[parked ? "error" : "warn"](
      { id, kind: job.kind, attempts: job.attempts, error: message },
      parked ? "job failed for good" : "job failed; will retry",
    );
  }
}

/** Waits `ms`, or until `signal` aborts; the abort listener is removed either way (no leak per pause). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
