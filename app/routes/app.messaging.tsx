// /app/messaging — how Stayloop sends (R-MSG-1…5): sender, quiet hours, frequency cap, channel
// order and fallback, WhatsApp pricing; a template preview with sample data that points to the
// line of any mistake; the latest messages and what WhatsApp cost per flow and month.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireAdmin } from "../admin.server";
import { MessagingPage } from "../components/messaging/MessagingPage";
import prisma from "../db.server";
import { messagingPage, previewForMerchant, saveMessagingForm } from "../messaging/admin-page";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  return messagingPage(prisma, shop);
};

const text = z.string().catch("");
const previewForm = z.object({ template: text, locale: z.enum(["en", "cs"]).catch("en") });
// The settings form: text fields, and the rate table's rows as repeated fields.
const settingsForm = z.object({
  fromName: text,
  fromEmail: text,
  replyTo: text,
  quietStart: text,
  quietEnd: text,
  capMessages: text,
  capHours: text,
  channelOrder: text,
  fallbackAfterMinutes: text,
  whatsappPricing: text,
  rateCurrency: text,
  rateCallingCode: z.array(text),
  rateCategory: z.array(text),
  ratePrice: z.array(text),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const data = await request.formData();
  if (data.get("intent") === "preview") {
    const { template, locale } = previewForm.parse(Object.fromEntries(data));
    return previewForMerchant(template, locale);
  }
  const { rateCurrency, rateCallingCode, rateCategory, ratePrice, ...fields } = settingsForm.parse({
    ...Object.fromEntries(data),
    rateCallingCode: data.getAll("rateCallingCode"),
    rateCategory: data.getAll("rateCategory"),
    ratePrice: data.getAll("ratePrice"),
  });
  const rows = rateCallingCode.map((callingCode, index) => ({
    callingCode,
    category: rateCategory[index] ?? "",
    price: ratePrice[index] ?? "",
  }));
  return saveMessagingForm(prisma, shop.id, {
    ...fields,
    whatsappRates: { currency: rateCurrency, rows },
  });
};

export default function Messaging() {
  return <MessagingPage {...useLoaderData<typeof loader>()} />;
}
