// Single-use discount codes for one customer, created through the Admin API (R-LOY-3, R-LOY-5).
// Stayloop chooses the code before asking Shopify to create it and stores it first, so an attempt
// whose answer was lost is recognised by looking the code up, never by creating a second one.
import { randomInt } from "node:crypto";
import { z } from "zod";
import { toDecimalAmount } from "../money/money";
import type { AdminClient } from "../shopify/admin-client";
import {
  codeDiscountNodeByCodeQuery,
  discountCodeBasicCreateMutation,
  discountCodeDeleteMutation,
  discountCodeFreeShippingCreateMutation,
} from "../shopify/admin-operations";

// No 0/O, 1/I/L: codes are read from e-mails and aloud, and typed on phones.
const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/** `length` random characters that cannot be mistaken for one another (discount and referral codes). */
export function readableCode(length: number): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
}

/** A fresh code like "LOYAL-7KQ2-M9XD" (31^8 ≈ 8.5 × 10^11 possibilities). */
export function newDiscountCode(prefix: string): string {
  return `${prefix}-${readableCode(4)}-${readableCode(4)}`;
}

export type CodeBenefit =
  | { kind: "fixed_amount"; amountMinor: number; currency: string }
  | { kind: "percentage"; percentOff: number }
  | { kind: "free_shipping" }
  | { kind: "free_product"; variantShopifyId: string };

export interface CodeDiscountSpec {
  code: string;
  title: string;
  customerShopifyId: string;
  benefit: CodeBenefit;
  startsAt: Date;
  endsAt: Date | null;
  /** Minimum order subtotal in minor units of `currency`. */
  minimumSubtotalMinor: number | null;
  currency: string;
}

/** Shopify refused the code (userErrors); retrying the same request cannot help. */
export class DiscountCodeRefusedError extends Error {
  constructor(readonly reasons: string[]) {
    super(`Shopify refused the discount code: ${reasons.join("; ")}`);
  }
}

function commonInput(spec: CodeDiscountSpec) {
  return {
    title: spec.title,
    code: spec.code,
    startsAt: spec.startsAt.toISOString(),
    endsAt: spec.endsAt?.toISOString() ?? null,
    // Only this customer, once.
    context: { customers: { add: [`gid://shopify/Customer/${spec.customerShopifyId}`] } },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    minimumRequirement:
      spec.minimumSubtotalMinor === null
        ? null
        : {
            subtotal: {
              greaterThanOrEqualToSubtotal: toDecimalAmount(spec.minimumSubtotalMinor, spec.currency),
            },
          },
  };
}

function customerGets(benefit: Exclude<CodeBenefit, { kind: "free_shipping" }>) {
  if (benefit.kind === "fixed_amount") {
    return {
      value: {
        discountAmount: {
          amount: toDecimalAmount(benefit.amountMinor, benefit.currency),
          appliesOnEachItem: false,
        },
      },
      items: { all: true },
    };
  }
  if (benefit.kind === "percentage") {
    return { value: { percentage: benefit.percentOff / 100 }, items: { all: true } };
  }
  return {
    value: { discountOnQuantity: { quantity: "1", effect: { percentage: 1 } } },
    items: {
      products: { productVariantsToAdd: [`gid://shopify/ProductVariant/${benefit.variantShopifyId}`] },
    },
  };
}

const userErrors = z.array(
  z.object({ field: z.array(z.string()).nullable(), message: z.string(), code: z.string().nullable() }),
);
const created = z.object({ codeDiscountNode: z.object({ id: z.string() }).nullable(), userErrors });

/** Finds the code discount with this code, if Shopify has one. */
export async function findCodeDiscount(adminClient: AdminClient, code: string): Promise<string | null> {
  const data = await adminClient.request(codeDiscountNodeByCodeQuery, {
    variables: { code },
    schema: z.object({ codeDiscountNodeByCode: z.object({ id: z.string() }).nullable() }),
  });
  return data.codeDiscountNodeByCode?.id ?? null;
}

/**
 * Creates the code discount and returns its id. A "code taken" refusal for a code Stayloop chose
 * means an earlier attempt created it: the existing discount is returned.
 */
export async function createCodeDiscount(adminClient: AdminClient, spec: CodeDiscountSpec): Promise<string> {
  const { benefit } = spec;
  const result =
    benefit.kind === "free_shipping"
      ? (
          await adminClient.request(discountCodeFreeShippingCreateMutation, {
            variables: { freeShippingCodeDiscount: { ...commonInput(spec), destination: { all: true } } },
            schema: z.object({ discountCodeFreeShippingCreate: created }),
          })
        ).discountCodeFreeShippingCreate
      : (
          await adminClient.request(discountCodeBasicCreateMutation, {
            variables: { basicCodeDiscount: { ...commonInput(spec), customerGets: customerGets(benefit) } },
            schema: z.object({ discountCodeBasicCreate: created }),
          })
        ).discountCodeBasicCreate;
  if (result.codeDiscountNode) return result.codeDiscountNode.id;
  if (result.userErrors.some((error) => error.code === "TAKEN")) {
    const existing = await findCodeDiscount(adminClient, spec.code);
    if (existing) return existing;
  }
  throw new DiscountCodeRefusedError(result.userErrors.map((error) => error.message));
}

/** Deletes a code discount; false when Shopify no longer has it. */
export async function deleteCodeDiscount(adminClient: AdminClient, discountId: string): Promise<boolean> {
  const data = await adminClient.request(discountCodeDeleteMutation, {
    variables: { id: discountId },
    schema: z.object({
      discountCodeDelete: z.object({ deletedCodeDiscountId: z.string().nullable(), userErrors }),
    }),
  });
  return data.discountCodeDelete.deletedCodeDiscountId !== null;
}
