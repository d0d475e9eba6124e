// "Placed an order since the flow started" — the one matching rule for ending runs on purchase
// (R-FLOW-2), used at enrolment, at every step, when an order arrives and inside the send's own
// transaction: an order of the run's checkout (whenever it was placed), or an order by the run's
// customer or e-mail placed since the enrolling event — never the order that enrolled the run.
export interface RunPurchaseKeys {
  customerId: string;
  email: string | null;
  checkoutToken: string | null;
  since: Date;
  /** The order that started the run (post-purchase flows), which does not end it. */
  triggerOrderId: string | null;
}

export interface PurchaseCandidate {
  id: string;
  customerId: string | null;
  email: string | null;
  checkoutToken: string | null;
  processedAt: Date;
}

export function orderEndsRun(order: PurchaseCandidate, run: RunPurchaseKeys): boolean {
  if (order.id === run.triggerOrderId) return false;
  if (run.checkoutToken && order.checkoutToken === run.checkoutToken) return true;
  if (order.processedAt < run.since) return false;
  if (order.customerId !== null && order.customerId === run.customerId) return true;
  return Boolean(run.email && order.email && order.email.toLowerCase() === run.email.toLowerCase());
}
