// Sticky random assignment: a customer's A/B variant and control-group membership come from a hash
// of (flow, step, customer), so the same customer lands in the same place on every re-entry and on
// every worker, with no state to lose. SHA-256's first 52 bits give a uniform number in [0, 1).
import { createHash } from "node:crypto";

/** A uniform, stable number in [0, 1) for a key. */
export function bucketOf(key: string): number {
  const digest = createHash("sha256").update(key).digest();
  // 52 bits: exactly representable as a double.
  const high = digest.readUInt32BE(0) >>> 0;
  const low = digest.readUInt32BE(4) >>> 12;
  return (high * 2 ** 20 + low) / 2 ** 52;
}

/** The variant of a weighted split for a customer (weights need not sum to 100). */
export function chooseVariant<V extends { id: string; weight: number }>(
  variants: readonly V[],
  flowId: string,
  stepId: string,
  customerId: string,
): V {
  const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
  const point = bucketOf(`split:${flowId}:${stepId}:${customerId}`) * total;
  let reached = 0;
  for (const variant of variants) {
    reached += variant.weight;
    if (point < reached) return variant;
  }
  return variants[variants.length - 1] as V;
}

/** Whether a customer is in a flow's control group (held out), for a share in percent. */
export function inControlGroup(flowId: string, customerId: string, controlPercent: number): boolean {
  if (controlPercent <= 0) return false;
  return bucketOf(`control:${flowId}:${customerId}`) < controlPercent / 100;
}
