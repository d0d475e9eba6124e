import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { parseBirthday, setShopperBirthday } from "../loyalty/storefront";
import { idempotencyKeySchema, proxyError, proxyJson, proxyWrite } from "../storefront/proxy.server";

// POST /apps/stayloop/birthday {birthday: "MM-DD" | "YYYY-MM-DD", idempotencyKey}: once per
// customer (stored on the customer; the daily loyalty run awards the birthday points on the day).
export const action = ({ request, context }: ActionFunctionArgs) => {
  const birthdayBody = z.object({
    birthday: z
      .string()
      .max(10)
      .refine(
        (text) => parseBirthday(text, context.clock.now()) !== null,
        "must be a real date, MM-DD or YYYY-MM-DD",
      ),
    idempotencyKey: idempotencyKeySchema,
  });
  return proxyWrite(request, context, birthdayBody, async (shopper, input, _caller, deps) => {
    const result = await setShopperBirthday(deps.db, shopper, input.birthday.trim());
    return proxyJson({ birthday: result.birthday, set: true, changed: result.changed });
  });
};

export const loader = () => proxyError(405, "method_not_allowed", "use POST", { allow: "POST" });
