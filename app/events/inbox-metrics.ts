// Inbox health on /metrics: rows by status and the age of the oldest delivery still waiting
// (how far the workers are behind).
import client from "prom-client";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { registry } from "../observability/metrics";

export function registerInboxMetrics(db: Database, clock: Clock): void {
  if (registry.getSingleMetric("stayloop_inbox_lag_seconds")) return;
  new client.Gauge({
    name: "stayloop_inbox_rows",
    help: "Webhook deliveries in the inbox, by status (pending, processing, done, failed)",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      // A database hiccup must not take the rest of /metrics down: the gauge is left out instead.
      this.reset();
      const groups = await db.webhookInbox.groupBy({ by: ["status"], _count: true }).catch(() => []);
      for (const group of groups) this.set({ status: group.status }, group._count);
    },
  });
  new client.Gauge({
    name: "stayloop_inbox_lag_seconds",
    help: "Age of the oldest webhook delivery not yet processed (0 when none is waiting)",
    registers: [registry],
    async collect() {
      this.reset();
      const oldest = await db.webhookInbox
        .findFirst({
          where: { status: { in: ["pending", "processing"] } },
          orderBy: { receivedAt: "asc" },
          select: { receivedAt: true },
        })
        .then(
          (row) => ({ row }),
          () => null,
        );
      if (oldest === null) return;
      this.set(
        oldest.row ? Math.max(0, (clock.now().getTime() - oldest.row.receivedAt.getTime()) / 1000) : 0,
      );
    },
  });
}
