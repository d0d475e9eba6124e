// How a failure is kept on the row it happened to (inbox deliveries, jobs, backfill runs,
// redemptions, cashback credits, messages): its message, cut to fit the `lastError` column.

export function lastErrorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}
