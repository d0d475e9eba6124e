// The loyalty subscriber's batch path (docs/decisions/007-batch-data-access.md): sign-up points,
// points for paid orders (taking back what refunds stored before them claim), and the take-backs of
// cancellations and refunds, for a whole claimed batch in one transaction per shop, with the rows
// they decide on locked and loaded once. The rules are those of earning.ts, bonus.ts, ledger.ts and
// vip.ts (shared pure functions); the ledger's unique keys still make every posting once-only.
//
// What the batch does not take — an order with cashback, a paid order with a pending referral, the
// first event of a shop without a program row — goes to the one-by-one handler (subscriber.ts)
// unchanged: those touch settlements and referrals.
import type {
  CashbackCredit,
  Customer,
  DomainEvent,
  Job,
  LoyaltyLedgerEntry,
  LoyaltyMember,
  LoyaltyProgram,
  Order,
  Referral,
  Refund,
} from "@prisma/client";
import { insertRows, lockKeys, selectWhereIn, type SqlTx } from "../db/sql";
import type { FromStored } from "../money/stored";
import { newId } from "../events/batch/store";
import {
  recordDomainEvents,
  type DomainEventInput,
  type DomainEventSubscriber,
} from "../events/domain-events";
import type { DomainEventBatchHandler, EventDelivery } from "../events/event-delivery";
import { markJobsDone } from "../jobs/claims";
import { scheduleJobsOnce, type JobRequest } from "../jobs/schedule";
import type { BatchJobOutcome } from "../jobs/worker";
import { dailyLoyaltyRun } from "./daily";
import {
  cancellationReversal,
  orderBasePoints,
  orderEarnPosting,
  pointsState,
  refundedShareOf,
  shareOf,
  refundReversal,
  releaseJob,
  reversalPosting,
} from "./earning";
import { postedBalances, type LedgerPosting } from "./ledger";
import { tierRulesOf } from "./program";
import type { TierRules } from "./tiers";
import { refundedEventPayload } from "./subscriber";
import { tierOutcome } from "./vip";

type MemberRow = FromStored<LoyaltyMember>;
type EntryRow = FromStored<LoyaltyLedgerEntry>;
type OrderRow = FromStored<Order>;

const tierKinds = new Set(["earn", "adjust", "reversal"]);

/** The handler for a batch of the loyalty subscriber's deliveries. */
export function loyaltyBatchHandler(subscribers: readonly DomainEventSubscriber[]): DomainEventBatchHandler {
  return async (deliveries, context) => {
    const outcome: BatchJobOutcome = { done: [], failed: [], single: [] };
    const byShop = new Map<string, EventDelivery[]>();
    for (const delivery of deliveries) {
      const list = byShop.get(delivery.event.shopId) ?? [];
      list.push(delivery);
      byShop.set(delivery.event.shopId, list);
    }
    for (const [shopId, shopDeliveries] of byShop) {
      const result = await context.sql.transaction(async (tx) => {
        const batch = await LoyaltyBatch.load(tx, shopId, shopDeliveries, context.now);
        const handled = batch.apply(shopDeliveries);
        await batch.write(tx, subscribers);
        await markJobsDone(tx, handled, context.workerId, context.now);
        return { handled, single: batch.single };
      });
      outcome.done.push(...result.handled);
      outcome.single.push(...result.single);
    }
    return outcome;
  };
}

class LoyaltyBatch {
  readonly single: Job[] = [];
  private readonly membersByCustomer = new Map<string, MemberRow>();
  private readonly membersById = new Map<string, MemberRow>();
  /** Order id → the member who earned its points. */
  private readonly earnerOf = new Map<string, string>();
  private readonly entriesByMember = new Map<string, EntryRow[]>();
  private readonly newMembers = new Set<MemberRow>();
  private readonly changedMembers = new Set<MemberRow>();
  private readonly newEntries: EntryRow[] = [];
  private readonly jobs: JobRequest[] = [];
  private readonly events: DomainEventInput[] = [];

  private constructor(
    private readonly shopId: string,
    private readonly now: Date,
    private readonly program: FromStored<LoyaltyProgram> | null,
    private readonly rules: TierRules | null,
    private readonly orders: Map<string, OrderRow>,
    private readonly signupCustomers: Set<string>,
    /** Orders that go one by one: cashback credited, or (when paid) a pending referral. */
    private readonly complexOrders: Set<string>,
    /** Each order's refunds, oldest first. */
    private readonly refundsByOrder: Map<string, FromStored<Refund>[]>,
  ) {}

  static async load(tx: SqlTx, shopId: string, deliveries: readonly EventDelivery[], now: Date) {
    const [program] = await selectWhereIn<LoyaltyProgram>(tx, "LoyaltyProgram", "shopId", [shopId]);
    const events = deliveries.map((delivery) => delivery.event);
    const orderIds = events
      .filter((event) => event.type === "order.paid" || event.type === "order.cancelled")
      .map((event) => event.subjectId);
    const refundedOrderShopifyIds = events
      .filter((event) => event.type === "order.refunded")
      .map((event) => refundedEventPayload.safeParse(event.payload))
      .filter((payload) => payload.success)
      .map((payload) => payload.data.orderShopifyId);
    const signupIds = events
      .filter((event) => event.type === "customer.created")
      .map((event) => event.subjectId);
    const inShop = { where: `"shopId" = ?`, parameters: [shopId] };
    // Every batch takes its advisory locks first, in one statement (store events lock the same
    // order keys), then row locks: two batches never wait on each other in a cycle.
    const named = await selectWhereIn<Order>(tx, "Order", "id", orderIds, inShop);
    const memberKey = (customerId: string) => `loyalty-member:${shopId}:${customerId}`;
    const lockedMembers = new Set<string>([
      ...signupIds,
      ...named.map((order) => order.customerId).filter((id) => id !== null),
    ]);
    await lockKeys(tx, [
      ...named.map((order) => `order:${shopId}:${order.shopifyId}`),
      ...refundedOrderShopifyIds.map((shopifyId) => `order:${shopId}:${shopifyId}`),
      ...[...lockedMembers].map(memberKey),
    ]);
    // The order rows are the lock award, release and reversals of an order take (earning.ts).
    const orders = [
      ...(await selectWhereIn<Order>(tx, "Order", "id", orderIds, { ...inShop, lock: true })),
      ...(await selectWhereIn<Order>(tx, "Order", "shopifyId", refundedOrderShopifyIds, {
        ...inShop,
        lock: true,
      })),
    ];
    const ordersById = new Map(orders.map((order) => [order.id, order]));
    // The orders' earn entries name the member who earned (the order's customer may have changed).
    const earns = await selectWhereIn<LoyaltyLedgerEntry>(
      tx,
      "LoyaltyLedgerEntry",
      "sourceId",
      [...ordersById.keys()],
      {
        where: `"shopId" = ? AND source = 'order' AND kind = 'earn'`,
        parameters: [shopId],
      },
    );
    const customerIds = [
      ...new Set([...signupIds, ...orders.map((order) => order.customerId).filter((id) => id !== null)]),
    ];
    // Members are created here when missing: two workers creating one member serialise on its key
    // (an order whose customer changed since it was first read takes that key now).
    await lockKeys(tx, customerIds.filter((id) => !lockedMembers.has(id)).map(memberKey));
    const members = await selectWhereIn<LoyaltyMember>(tx, "LoyaltyMember", "customerId", customerIds, {
      ...inShop,
      lock: true,
    });
    const known = new Set(members.map((member) => member.id));
    members.push(
      ...(await selectWhereIn<LoyaltyMember>(
        tx,
        "LoyaltyMember",
        "id",
        earns.map((entry) => entry.memberId).filter((id) => !known.has(id)),
        { ...inShop, lock: true },
      )),
    );
    const signupCustomers = await selectWhereIn<Customer>(tx, "Customer", "id", signupIds, {
      where: `"shopId" = ? AND "deletedAt" IS NULL AND "redactedAt" IS NULL`,
      parameters: [shopId],
    });
    const refunds = await selectWhereIn<Refund>(
      tx,
      "Refund",
      "orderShopifyId",
      orders.map((order) => order.shopifyId),
      inShop,
    );
    const referrals = await selectWhereIn<Referral>(
      tx,
      "Referral",
      "friendCustomerId",
      orders.map((order) => order.customerId).filter((id) => id !== null),
      inShop,
    );
    const credits = await selectWhereIn<CashbackCredit>(
      tx,
      "CashbackCredit",
      "orderId",
      [...ordersById.keys()],
      inShop,
    );
    const entries = await selectWhereIn<LoyaltyLedgerEntry>(
      tx,
      "LoyaltyLedgerEntry",
      "memberId",
      members.map((member) => member.id),
      inShop,
    );
    const referred = new Set(
      referrals.filter((referral) => referral.status === "pending").map((r) => r.friendCustomerId),
    );
    const credited = new Set(credits.map((credit) => credit.orderId));
    const complexOrders = new Set(
      orders
        .filter(
          (order) => credited.has(order.id) || (order.customerId !== null && referred.has(order.customerId)),
        )
        .map((order) => order.id),
    );
    const refundsByOrder = new Map<string, FromStored<Refund>[]>();
    for (const refund of refunds.sort(
      (a, b) => a.processedAt.getTime() - b.processedAt.getTime() || (a.shopifyId < b.shopifyId ? -1 : 1),
    )) {
      const list = refundsByOrder.get(refund.orderShopifyId) ?? [];
      list.push(refund);
      refundsByOrder.set(refund.orderShopifyId, list);
    }
    const batch = new LoyaltyBatch(
      shopId,
      now,
      program ?? null,
      program ? tierRulesOf(program) : null,
      ordersById,
      new Set(signupCustomers.map((customer) => customer.id)),
      complexOrders,
      refundsByOrder,
    );
    for (const member of members) {
      batch.membersByCustomer.set(member.customerId, member);
      batch.membersById.set(member.id, member);
    }
    for (const entry of entries) {
      const list = batch.entriesByMember.get(entry.memberId) ?? [];
      list.push(entry);
      batch.entriesByMember.set(entry.memberId, list);
    }
    for (const earn of earns) batch.earnerOf.set(earn.sourceId, earn.memberId);
    return batch;
  }

  /** Applies what the batch takes; returns the ids of the jobs it finished. */
  apply(deliveries: readonly EventDelivery[]): string[] {
    const handled: string[] = [];
    for (const delivery of deliveries) {
      if (this.applyOne(delivery.event)) handled.push(delivery.job.id);
      else this.single.push(delivery.job);
    }
    const program = this.program;
    // Self-healing schedule, as the one-by-one handler keeps it: activity restarts the daily chain.
    if (program?.enabled && handled.length > 0) this.jobs.push(dailyLoyaltyRun(this.shopId, this.now));
    return handled;
  }

  /** False when the event is left to the one-by-one handler. */
  private applyOne(event: DomainEvent): boolean {
    const program = this.program;
    // The program row is created by the one-by-one handler the first time it is needed.
    if (!program) return false;
    if (event.type === "customer.created") {
      if (!program.enabled || program.signupPoints <= 0 || !this.signupCustomers.has(event.subjectId))
        return true;
      const member = this.memberFor(event.subjectId);
      this.post(member, {
        memberId: member.id,
        kind: "earn",
        source: "signup",
        sourceId: event.subjectId,
        pointsDelta: program.signupPoints,
        reason: "Sign-up bonus",
        occurredAt: this.now,
      });
      return true;
    }
    if (event.type === "order.refunded") {
      const payload = refundedEventPayload.safeParse(event.payload);
      if (!payload.success) return false;
      const order = [...this.orders.values()].find(
        (candidate) => candidate.shopifyId === payload.data.orderShopifyId,
      );
      // Not here yet: the refund is stored, and the order's award takes it back when it comes.
      if (!order) return true;
      if (this.complexOrders.has(order.id)) return false;
      this.reverseRefund(order, payload.data.refundShopifyId);
      if (order.customerId) this.reevaluateTier(order.customerId);
      return true;
    }
    if (event.type !== "order.paid" && event.type !== "order.cancelled") return false;
    const order = this.orders.get(event.subjectId);
    // Not in this shop (any more): nothing to do, as lockedOrder finds.
    if (!order) return true;
    if (this.complexOrders.has(order.id)) return false;
    if (event.type === "order.paid") {
      if (program.cashbackBasisPoints > 0) return false;
      this.awardOrderPoints(program, order);
      // Refunds stored before the award take their share back now (subscriber.ts takeBackEarlierRefunds).
      for (const refund of this.refundsByOrder.get(order.shopifyId) ?? [])
        this.reverseRefund(order, refund.shopifyId);
    } else {
      const state = this.pointsStateOf(order);
      const { sourceId, reason } = cancellationReversal(order);
      if (state) this.postReversal(state, state.earned, sourceId, reason);
    }
    if (order.customerId) this.reevaluateTier(order.customerId);
    return true;
  }

  /** earning.ts reverseRefundedPoints, in memory. */
  private reverseRefund(order: OrderRow, refundShopifyId: string): void {
    const state = this.pointsStateOf(order);
    if (!state || order.subtotalMinor <= 0) return;
    const target = shareOf(
      state.earned,
      refundedShareOf(order, this.refundsByOrder.get(order.shopifyId) ?? []),
    );
    const { sourceId, reason } = refundReversal(order, refundShopifyId);
    this.postReversal(state, target, sourceId, reason);
  }

  private postReversal(
    state: NonNullable<ReturnType<typeof pointsState>>,
    target: number,
    sourceId: string,
    reason: string,
  ): void {
    const posting = reversalPosting(state, target, sourceId, reason, this.now);
    const member = this.membersById.get(state.memberId);
    if (posting && member) this.post(member, posting);
  }

  /** The order's points state from its entries (earn, release, reversals) under the member who earned. */
  private pointsStateOf(order: OrderRow) {
    const memberId = this.earnerOf.get(order.id);
    if (!memberId) return null;
    const entries = (this.entriesByMember.get(memberId) ?? []).filter(
      (entry) =>
        entry.source === "order" &&
        (entry.sourceId === order.id || entry.sourceId.startsWith(`${order.id}/`)),
    );
    return pointsState(entries);
  }

  /** earning.ts awardOrderPoints, in memory. */
  private awardOrderPoints(program: FromStored<LoyaltyProgram>, order: OrderRow): void {
    if (!order.customerId || order.cancelledAt || !program.enabled) return;
    if (orderBasePoints(order, program) <= 0) return;
    const member = this.memberFor(order.customerId);
    const created = this.post(member, orderEarnPosting(order, program, member, this.rules, this.now));
    if (created && program.pendingDays > 0) this.jobs.push(releaseJob(order, program));
  }

  /** vip.ts evaluateMemberTier, in memory. */
  private reevaluateTier(customerId: string): void {
    const member = this.membersByCustomer.get(customerId);
    if (!member || !this.rules || !this.program) return;
    const entries = (this.entriesByMember.get(member.id) ?? []).filter((entry) => tierKinds.has(entry.kind));
    const outcome = tierOutcome(this.program, this.rules, member, entries, this.now);
    if (outcome.kind === "none") return;
    if (outcome.kind === "below") {
      this.change(member, { tierBelowSince: outcome.belowSince });
      return;
    }
    this.change(member, { tierId: outcome.change.to, tierBelowSince: null, tierChangedAt: this.now });
    this.events.push(outcome.event);
    this.jobs.push(outcome.tagsJob);
  }

  private memberFor(customerId: string): MemberRow {
    const known = this.membersByCustomer.get(customerId);
    if (known) return known;
    const member: MemberRow = {
      id: newId(),
      shopId: this.shopId,
      customerId,
      pointsBalance: 0,
      pendingPoints: 0,
      lifetimePoints: 0,
      tierId: null,
      tierBelowSince: null,
      tierChangedAt: null,
      lastActivityAt: null,
      referralCode: null,
      createdAt: this.now,
      updatedAt: this.now,
    };
    this.membersByCustomer.set(customerId, member);
    this.membersById.set(member.id, member);
    this.newMembers.add(member);
    return member;
  }

  private change(member: MemberRow, changes: Partial<MemberRow>): void {
    Object.assign(member, changes, { updatedAt: this.now });
    this.changedMembers.add(member);
  }

  /** ledger.ts postLedgerEntry, in memory: once per unique key; false when already posted. */
  private post(member: MemberRow, posting: LedgerPosting): boolean {
    const entries = this.entriesByMember.get(member.id) ?? [];
    const earlier = entries.find(
      (entry) =>
        entry.kind === posting.kind && entry.source === posting.source && entry.sourceId === posting.sourceId,
    );
    if (earlier) return false;
    const posted = postedBalances(member, posting);
    this.change(member, posted.member);
    const entry: EntryRow = {
      id: newId(),
      shopId: this.shopId,
      memberId: member.id,
      kind: posting.kind,
      source: posting.source,
      sourceId: posting.sourceId,
      pointsDelta: posted.pointsDelta,
      pendingDelta: posted.pendingDelta,
      balanceAfter: member.pointsBalance,
      pendingAfter: member.pendingPoints,
      shortfall: posted.shortfall,
      basisMinor: posting.basisMinor ?? null,
      reason: posting.reason ?? null,
      actor: posting.actor ?? null,
      occurredAt: posting.occurredAt,
      createdAt: this.now,
    };
    entries.push(entry);
    this.entriesByMember.set(member.id, entries);
    this.newEntries.push(entry);
    if (entry.kind === "earn" && entry.source === "order") this.earnerOf.set(entry.sourceId, member.id);
    return true;
  }

  async write(tx: SqlTx, subscribers: readonly DomainEventSubscriber[]): Promise<void> {
    await insertRows<LoyaltyMember>(
      tx,
      "LoyaltyMember",
      [...new Set([...this.newMembers, ...this.changedMembers])],
      {
        conflict: ["id"],
        update: true,
      },
    );
    await insertRows<LoyaltyLedgerEntry>(tx, "LoyaltyLedgerEntry", this.newEntries);
    await recordDomainEvents(tx, this.shopId, this.events, subscribers, this.now);
    await scheduleJobsOnce(tx, this.jobs, this.now);
  }
}
