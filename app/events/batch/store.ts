// The rows one batch of store-event deliveries for one shop decides on, loaded with a few
// statements up front, changed in memory by the ingest rules (./rules.ts), and written back with
// one multi-row statement per table. Everything happens inside one transaction that holds the
// locks on those rows (ARCHITECTURE "lock before you read what you decide on").
import { randomUUID } from "node:crypto";
import type { Checkout, Customer, Order, OrderLine, Refund } from "@prisma/client";
import { deleteWhereIn, insertRows, lockKeys, selectWhereIn, type SqlTx } from "../../db/sql";
import type { FromStored } from "../../money/stored";
import { recordDomainEvents, type DomainEventInput, type DomainEventSubscriber } from "../domain-events";

export type CustomerRow = FromStored<Customer>;
export type OrderRow = FromStored<Order>;
export type OrderLineRow = FromStored<OrderLine>;
export type RefundRow = FromStored<Refund>;
export type CheckoutRow = FromStored<Checkout>;

/** What a batch refers to, collected from its payloads before anything is loaded. */
export interface BatchKeys {
  customerShopifyIds: Set<string>;
  orderShopifyIds: Set<string>;
  refundShopifyIds: Set<string>;
  checkoutTokens: Set<string>;
}

export function emptyKeys(): BatchKeys {
  return {
    customerShopifyIds: new Set(),
    orderShopifyIds: new Set(),
    refundShopifyIds: new Set(),
    checkoutTokens: new Set(),
  };
}

export function newId(): string {
  return randomUUID();
}

export class BatchStore {
  readonly customersByShopifyId = new Map<string, CustomerRow>();
  readonly customersById = new Map<string, CustomerRow>();
  readonly ordersByShopifyId = new Map<string, OrderRow>();
  readonly ordersById = new Map<string, OrderRow>();
  readonly refundsByShopifyId = new Map<string, RefundRow>();
  readonly checkoutsByToken = new Map<string, CheckoutRow>();
  /** Orders whose lines are replaced: their new lines. */
  readonly replacedLines = new Map<string, OrderLineRow[]>();
  readonly events: DomainEventInput[] = [];
  private readonly inserted = new Set<object>();
  private readonly changed = new Set<object>();

  private constructor(
    readonly shopId: string,
    readonly now: Date,
  ) {}

  /**
   * Locks and loads everything the batch refers to. PostgreSQL: advisory locks on the keys (for
   * rows that do not exist yet), then row locks on those that do; SQLite's write lock covers both.
   */
  static async load(tx: SqlTx, shopId: string, keys: BatchKeys, now: Date): Promise<BatchStore> {
    const store = new BatchStore(shopId, now);
    await lockKeys(tx, [
      ...[...keys.customerShopifyIds].map((id) => `customer:${shopId}:${id}`),
      ...[...keys.orderShopifyIds].map((id) => `order:${shopId}:${id}`),
      ...[...keys.checkoutTokens].map((token) => `checkout:${shopId}:${token}`),
      ...[...keys.refundShopifyIds].map((id) => `refund:${shopId}:${id}`),
    ]);
    const inShop = { where: `"shopId" = ?`, parameters: [shopId], lock: true };
    const [customers, orders, ordersOfCheckouts, checkouts] = [
      await selectWhereIn<Customer>(tx, "Customer", "shopifyId", [...keys.customerShopifyIds], inShop),
      await selectWhereIn<Order>(tx, "Order", "shopifyId", [...keys.orderShopifyIds], inShop),
      await selectWhereIn<Order>(tx, "Order", "checkoutToken", [...keys.checkoutTokens], inShop),
      await selectWhereIn<Checkout>(tx, "Checkout", "token", [...keys.checkoutTokens], inShop),
    ];
    const orderTokens = orders.map((order) => order.checkoutToken).filter((token) => token !== null);
    const moreCheckouts = await selectWhereIn<Checkout>(
      tx,
      "Checkout",
      "token",
      orderTokens.filter((token) => !keys.checkoutTokens.has(token)),
      inShop,
    );
    for (const customer of customers) store.keepCustomer(customer);
    for (const order of [...orders, ...ordersOfCheckouts]) store.keepOrder(order);
    for (const checkout of [...checkouts, ...moreCheckouts])
      store.checkoutsByToken.set(checkout.token, checkout);

    // Customers whose profile the batch may recompute: those it names and those its orders had.
    const ownerIds = [...store.ordersById.values()]
      .map((order) => order.customerId)
      .filter((id): id is string => id !== null && !store.customersById.has(id));
    for (const customer of await selectWhereIn<Customer>(tx, "Customer", "id", ownerIds, inShop))
      store.keepCustomer(customer);
    // Every order of those customers (profiles are computed from all of them) and every refund of
    // the batch's orders (an order's refunded amount is their sum).
    for (const order of await selectWhereIn<Order>(
      tx,
      "Order",
      "customerId",
      [...store.customersById.keys()],
      {
        where: `"shopId" = ?`,
        parameters: [shopId],
      },
    ))
      if (!store.ordersById.has(order.id)) store.keepOrder(order);
    const refunds = [
      ...(await selectWhereIn<Refund>(tx, "Refund", "shopifyId", [...keys.refundShopifyIds], inShop)),
      ...(await selectWhereIn<Refund>(tx, "Refund", "orderShopifyId", [...keys.orderShopifyIds], inShop)),
    ];
    for (const refund of refunds) store.refundsByShopifyId.set(refund.shopifyId, refund);
    return store;
  }

  private keepCustomer(customer: CustomerRow): void {
    this.customersByShopifyId.set(customer.shopifyId, customer);
    this.customersById.set(customer.id, customer);
  }

  private keepOrder(order: OrderRow): void {
    this.ordersByShopifyId.set(order.shopifyId, order);
    this.ordersById.set(order.id, order);
  }

  addCustomer(customer: CustomerRow): CustomerRow {
    this.keepCustomer(customer);
    this.inserted.add(customer);
    return customer;
  }

  addOrder(order: OrderRow): OrderRow {
    this.keepOrder(order);
    this.inserted.add(order);
    return order;
  }

  addRefund(refund: RefundRow): RefundRow {
    this.refundsByShopifyId.set(refund.shopifyId, refund);
    this.inserted.add(refund);
    return refund;
  }

  addCheckout(checkout: CheckoutRow): CheckoutRow {
    this.checkoutsByToken.set(checkout.token, checkout);
    this.inserted.add(checkout);
    return checkout;
  }

  /** Changes a stored row in place; it is written back at the end of the batch. */
  update<T extends { updatedAt?: Date }>(row: T, changes: Partial<T>): T {
    Object.assign(row, changes);
    if ("updatedAt" in row) row.updatedAt = this.now;
    this.changed.add(row);
    return row;
  }

  replaceLines(orderId: string, lines: OrderLineRow[]): void {
    this.replacedLines.set(orderId, lines);
  }

  refundsOf(orderShopifyId: string): RefundRow[] {
    return [...this.refundsByShopifyId.values()].filter((refund) => refund.orderShopifyId === orderShopifyId);
  }

  ordersOf(customerId: string): OrderRow[] {
    return [...this.ordersById.values()].filter((order) => order.customerId === customerId);
  }

  orderWithCheckout(token: string): OrderRow | undefined {
    for (const order of this.ordersById.values()) if (order.checkoutToken === token) return order;
    return undefined;
  }

  /** Announces a fact; recorded once per key when the batch is written (recordDomainEvents). */
  emit(event: DomainEventInput): void {
    this.events.push(event);
  }

  /** Writes every inserted or changed row, the events not recorded before, and their jobs. */
  async write(tx: SqlTx, subscribers: readonly DomainEventSubscriber[]): Promise<void> {
    const dirty = <T extends object>(rows: Iterable<T>) =>
      [...rows].filter((row) => this.inserted.has(row) || this.changed.has(row));
    const upsert = { conflict: ["id"] as ["id"], update: true };
    // Parents first: orders refer to customers, lines to orders.
    await insertRows<Customer>(tx, "Customer", dirty(this.customersById.values()), upsert);
    await insertRows<Order>(tx, "Order", dirty(this.ordersById.values()), upsert);
    if (this.replacedLines.size > 0) {
      await deleteWhereIn<OrderLine>(tx, "OrderLine", "orderId", [...this.replacedLines.keys()]);
      const lines = [...this.replacedLines.values()].flat();
      // A line id moved to another order of the shop leaves its old order (ids are unique per shop).
      await deleteWhereIn<OrderLine>(
        tx,
        "OrderLine",
        "shopifyId",
        lines.map((line) => line.shopifyId),
        { where: `"shopId" = ?`, parameters: [this.shopId] },
      );
      await insertRows<OrderLine>(tx, "OrderLine", lines);
    }
    await insertRows<Refund>(tx, "Refund", dirty(this.refundsByShopifyId.values()), upsert);
    await insertRows<Checkout>(tx, "Checkout", dirty(this.checkoutsByToken.values()), upsert);
    await recordDomainEvents(tx, this.shopId, this.events, subscribers, this.now);
  }
}
