// The fake Admin API's discounts and store credit (used by redemptions and cashback): code
// discounts unique per shop, looked up by code and deleted; store credit accounts per customer
// with Shopify's refusal of debits beyond the balance, and their transactions listed after a cursor.
// Failures can be injected per operation: a server error before anything happens, an answer lost
// after the change was made (a 502, or no answer at all until the client times out), or a refusal.
type Row = Record<string, unknown>;

export type FakeFailure = "server_error" | "lost_answer" | "timeout" | "user_error";

export interface FakeDiscount {
  id: string;
  shop: string;
  code: string;
  kind: "basic" | "free_shipping";
  input: Row;
}

export interface FakeStoreCreditTransaction {
  id: string;
  /** Shopify's StoreCreditSystemEvent: API credits and debits are ADJUSTMENT. */
  event: string;
  shop: string;
  customerId: string;
  kind: "credit" | "debit";
  amount: string;
  currencyCode: string;
}

/** Thrown by `execute` when an injected failure wants an HTTP error instead of an answer. */
export class FakeServerError extends Error {}

/** Thrown by `execute` when the change was made but no answer is sent at all (the client times out). */
export class FakeNoAnswer extends FakeServerError {}

const money = (value: unknown): { amount: string; currencyCode: string } | null => {
  if (typeof value !== "object" || value === null) return null;
  const { amount, currencyCode } = value as Row;
  if (typeof amount !== "string" || !/^\d+(\.\d+)?$/.test(amount) || typeof currencyCode !== "string")
    return null;
  return { amount, currencyCode };
};

const cents = (amount: string) => Math.round(Number(amount) * 100);

export interface FakeConsentUpdate {
  shop: string;
  customerId: string;
  channel: "email" | "sms";
  marketingState: string;
  consentUpdatedAt: string | null;
}

export class FakeCommerce {
  readonly discounts: FakeDiscount[] = [];
  /** Marketing consent changes written through the Admin API, in order. */
  readonly consentUpdates: FakeConsentUpdate[] = [];
  readonly transactions: FakeStoreCreditTransaction[] = [];
  private readonly balances = new Map<string, { cents: number; currencyCode: string }>();
  private readonly failures = new Map<string, { mode: FakeFailure; remaining: number }>();
  private sequence = 0;

  /** The next `times` calls of `operation` (its GraphQL operation name) fail in the given way. */
  failNext(operation: string, mode: FakeFailure, times = 1): void {
    this.failures.set(operation, { mode, remaining: times });
  }

  storeCreditBalance(shop: string, customerId: string): number {
    return this.balances.get(`${shop}:${customerId}`)?.cents ?? 0;
  }

  discountsOf(shop: string): FakeDiscount[] {
    return this.discounts.filter((discount) => discount.shop === shop);
  }

  /** Answers the operations this fake owns; undefined for the others. */
  execute(shop: string, name: string, variables: Row): Row | undefined {
    const handler = this.handlers[name];
    if (!handler) return undefined;
    const failure = this.failures.get(name);
    if (failure && failure.remaining > 0) {
      failure.remaining -= 1;
      if (failure.mode === "server_error") throw new FakeServerError(`${name} failed (injected)`);
      if (failure.mode === "user_error") return handler.refuse("Injected refusal: try again later");
      handler.run(shop, variables);
      if (failure.mode === "timeout") throw new FakeNoAnswer(`${name} never answered (injected)`);
      throw new FakeServerError(`${name} answer lost (injected)`);
    }
    return handler.run(shop, variables);
  }

  private nextId(type: string): string {
    this.sequence += 1;
    return `gid://shopify/${type}/${990_000 + this.sequence}`;
  }

  private createDiscount(shop: string, kind: FakeDiscount["kind"], input: unknown, field: string): Row {
    const row = (typeof input === "object" && input !== null ? input : {}) as Row;
    const missing = ["title", "code", "startsAt", "context"].filter((key) => row[key] === undefined);
    if (kind === "basic" && row.customerGets === undefined) missing.push("customerGets");
    if (missing.length > 0) {
      return {
        codeDiscountNode: null,
        userErrors: missing.map((key) => ({
          field: [field, key],
          message: `${key} is required`,
          code: "BLANK",
        })),
      };
    }
    const code = String(row.code);
    if (
      this.discounts.some(
        (discount) => discount.shop === shop && discount.code.toLowerCase() === code.toLowerCase(),
      )
    ) {
      return {
        codeDiscountNode: null,
        userErrors: [
          {
            field: [field, "code"],
            message: "Code must be unique. Please try a different code.",
            code: "TAKEN",
          },
        ],
      };
    }
    const discount: FakeDiscount = { id: this.nextId("DiscountCodeNode"), shop, code, kind, input: row };
    this.discounts.push(discount);
    return { codeDiscountNode: { id: discount.id }, userErrors: [] };
  }

  private updateConsent(shop: string, channel: "email" | "sms", variables: Row): Row {
    const input = (variables.input ?? {}) as Row;
    const consentKey = channel === "email" ? "emailMarketingConsent" : "smsMarketingConsent";
    const consent = (input[consentKey] ?? {}) as Row;
    const customerId = String(input.customerId ?? "");
    const states = ["SUBSCRIBED", "UNSUBSCRIBED", "NOT_SUBSCRIBED", "PENDING"];
    if (!customerId.startsWith("gid://shopify/Customer/")) {
      return {
        customer: null,
        userErrors: [{ field: ["input", "customerId"], message: "Customer does not exist" }],
      };
    }
    if (typeof consent.marketingState !== "string" || !states.includes(consent.marketingState)) {
      return {
        customer: null,
        userErrors: [
          { field: ["input", consentKey, "marketingState"], message: "Marketing state is invalid" },
        ],
      };
    }
    this.consentUpdates.push({
      shop,
      customerId,
      channel,
      marketingState: consent.marketingState,
      consentUpdatedAt: typeof consent.consentUpdatedAt === "string" ? consent.consentUpdatedAt : null,
    });
    return { customer: { id: customerId }, userErrors: [] };
  }

  private storeCredit(shop: string, kind: "credit" | "debit", variables: Row): Row {
    const inputKey = kind === "credit" ? "creditInput" : "debitInput";
    const amountKey = kind === "credit" ? "creditAmount" : "debitAmount";
    const input = (variables[inputKey] ?? {}) as Row;
    const amount = money(input[amountKey]);
    const customerId = String(variables.id);
    const refuse = (message: string, code: string) => ({
      storeCreditAccountTransaction: null,
      userErrors: [{ field: [inputKey, amountKey], message, code }],
    });
    if (!customerId.startsWith("gid://shopify/Customer/"))
      return refuse("Owner does not exist", "ACCOUNT_NOT_FOUND");
    if (!amount || cents(amount.amount) <= 0)
      return refuse("Amount must be greater than zero", "NEGATIVE_OR_ZERO_AMOUNT");
    const key = `${shop}:${customerId}`;
    const account = this.balances.get(key) ?? { cents: 0, currencyCode: amount.currencyCode };
    if (account.currencyCode !== amount.currencyCode)
      return refuse("Currency does not match", "MISMATCHING_CURRENCY");
    const delta = kind === "credit" ? cents(amount.amount) : -cents(amount.amount);
    if (account.cents + delta < 0) return refuse("Insufficient funds", "INSUFFICIENT_FUNDS");
    account.cents += delta;
    this.balances.set(key, account);
    const id = this.nextId(
      kind === "credit" ? "StoreCreditAccountCreditTransaction" : "StoreCreditAccountDebitTransaction",
    );
    this.transactions.push({ id, event: "ADJUSTMENT", shop, customerId, kind, ...amount });
    const result = {
      id,
      amount: { amount: (delta / 100).toFixed(2), currencyCode: amount.currencyCode },
      account: {
        id: `gid://shopify/StoreCreditAccount/${customerId.split("/").pop()}`,
        balance: { amount: (account.cents / 100).toFixed(2), currencyCode: account.currencyCode },
      },
    };
    return { storeCreditAccountTransaction: result, userErrors: [] };
  }

  /** customer.storeCreditAccounts(first: 1, query: "currency_code:X") with its transactions, oldest first. */
  private storeCreditAccounts(
    shop: string,
    variables: Row,
    page: (all: FakeStoreCreditTransaction[]) => Row,
  ): Row {
    const customerId = String(variables.customerId);
    const currency = /^currency_code:([A-Z]{3})$/.exec(String(variables.accountQuery))?.[1];
    const account = this.balances.get(`${shop}:${customerId}`);
    if (!account || account.currencyCode !== currency)
      return { customer: { storeCreditAccounts: { nodes: [] } } };
    const all = this.transactions.filter(
      (transaction) => transaction.shop === shop && transaction.customerId === customerId,
    );
    return { customer: { storeCreditAccounts: { nodes: [{ transactions: page(all) }] } } };
  }

  private readonly handlers: Record<
    string,
    { run(shop: string, variables: Row): Row; refuse(message: string): Row }
  > = {
    CreateBasicDiscountCode: {
      run: (shop, variables) => ({
        discountCodeBasicCreate: this.createDiscount(
          shop,
          "basic",
          variables.basicCodeDiscount,
          "basicCodeDiscount",
        ),
      }),
      refuse: (message) => ({
        discountCodeBasicCreate: {
          codeDiscountNode: null,
          userErrors: [{ field: null, message, code: "INTERNAL_ERROR" }],
        },
      }),
    },
    CreateFreeShippingDiscountCode: {
      run: (shop, variables) => ({
        discountCodeFreeShippingCreate: this.createDiscount(
          shop,
          "free_shipping",
          variables.freeShippingCodeDiscount,
          "freeShippingCodeDiscount",
        ),
      }),
      refuse: (message) => ({
        discountCodeFreeShippingCreate: {
          codeDiscountNode: null,
          userErrors: [{ field: null, message, code: "INTERNAL_ERROR" }],
        },
      }),
    },
    CodeDiscountByCode: {
      run: (shop, variables) => {
        const code = String(variables.code).toLowerCase();
        const found = this.discounts.find(
          (discount) => discount.shop === shop && discount.code.toLowerCase() === code,
        );
        return { codeDiscountNodeByCode: found ? { id: found.id } : null };
      },
      refuse: () => ({ codeDiscountNodeByCode: null }),
    },
    DeleteDiscountCode: {
      run: (shop, variables) => {
        const index = this.discounts.findIndex(
          (discount) => discount.shop === shop && discount.id === variables.id,
        );
        if (index === -1) {
          return {
            discountCodeDelete: {
              deletedCodeDiscountId: null,
              userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID" }],
            },
          };
        }
        this.discounts.splice(index, 1);
        return { discountCodeDelete: { deletedCodeDiscountId: variables.id, userErrors: [] } };
      },
      refuse: (message) => ({
        discountCodeDelete: {
          deletedCodeDiscountId: null,
          userErrors: [{ field: null, message, code: "INTERNAL_ERROR" }],
        },
      }),
    },
    UpdateEmailMarketingConsent: {
      run: (shop, variables) => ({
        customerEmailMarketingConsentUpdate: this.updateConsent(shop, "email", variables),
      }),
      refuse: (message) => ({
        customerEmailMarketingConsentUpdate: { customer: null, userErrors: [{ field: null, message }] },
      }),
    },
    UpdateSmsMarketingConsent: {
      run: (shop, variables) => ({
        customerSmsMarketingConsentUpdate: this.updateConsent(shop, "sms", variables),
      }),
      refuse: (message) => ({
        customerSmsMarketingConsentUpdate: { customer: null, userErrors: [{ field: null, message }] },
      }),
    },
    CreditStoreCredit: {
      run: (shop, variables) => ({ storeCreditAccountCredit: this.storeCredit(shop, "credit", variables) }),
      refuse: (message) => ({
        storeCreditAccountCredit: {
          storeCreditAccountTransaction: null,
          userErrors: [{ field: null, message, code: "INTERNAL_ERROR" }],
        },
      }),
    },
    LastStoreCreditTransaction: {
      run: (shop, variables) =>
        this.storeCreditAccounts(shop, variables, (all) => ({
          edges: all.slice(-1).map((transaction) => ({ cursor: transaction.id })),
        })),
      refuse: () => ({ customer: null }),
    },
    StoreCreditTransactionsAfter: {
      run: (shop, variables) =>
        this.storeCreditAccounts(shop, variables, (all) => {
          const after = typeof variables.after === "string" ? variables.after : null;
          const start = after === null ? 0 : all.findIndex((transaction) => transaction.id === after) + 1;
          const page = all.slice(start, start + 50);
          return {
            edges: page.map((transaction) => ({
              cursor: transaction.id,
              node: {
                __typename:
                  transaction.kind === "credit"
                    ? "StoreCreditAccountCreditTransaction"
                    : "StoreCreditAccountDebitTransaction",
                event: transaction.event,
                amount: {
                  amount: `${transaction.kind === "debit" ? "-" : ""}${transaction.amount}`,
                  currencyCode: transaction.currencyCode,
                },
              },
            })),
            pageInfo: { hasNextPage: start + 50 < all.length },
          };
        }),
      refuse: () => ({ customer: null }),
    },
    DebitStoreCredit: {
      run: (shop, variables) => ({ storeCreditAccountDebit: this.storeCredit(shop, "debit", variables) }),
      refuse: (message) => ({
        storeCreditAccountDebit: {
          storeCreditAccountTransaction: null,
          userErrors: [{ field: null, message, code: "INTERNAL_ERROR" }],
        },
      }),
    },
  };
}
