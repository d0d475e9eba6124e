// Prometheus metrics (prom-client) on one registry, served at GET /metrics. The HTTP server and the
// Remix build are separate bundles sharing this registry, so a metric is created once and reused.
import client, { type Counter, type Histogram } from "prom-client";

export const registry = client.register;

let defaultsCollected = false;

export function collectProcessMetrics(): void {
  if (defaultsCollected || registry.getSingleMetric("process_cpu_seconds_total")) return;
  client.collectDefaultMetrics({ register: registry });
  defaultsCollected = true;
}

export function counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new client.Counter({ name, help, labelNames, registers: [registry] });
}

export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
): Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<L>;
  return new client.Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

export const httpRequestDuration = histogram(
  "stayloop_http_request_duration_seconds",
  "Time to answer an HTTP request, by route group, method and status",
  ["route", "method", "status"] as const,
  [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
);
