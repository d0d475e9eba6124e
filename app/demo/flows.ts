// Demo mode only: one live flow, so the replayed store shows the flow engine at work — abandoned
// checkouts get three reminders (after 30 min, then 1 h and 24 h later, on the demo's fast clock),
// in English or Czech by the shopper's language, and a purchase ends them.
import type { Database } from "../db/client";
import { createFlow, setFlowStatus } from "../flows/flows";

export const demoFlowName = "Abandoned checkout reminders";

const items = `{% for item in items %}<li>{{ item.title }}{% if item.variant_title %} ({{ item.variant_title }}){% endif %} × {{ item.quantity }} — {{ item.price }}</li>{% endfor %}`;

function reminder(en: { subject: string; intro: string }, cs: { subject: string; intro: string }) {
  return {
    versions: {
      en: {
        email: {
          subject: en.subject,
          html: `<p>Hi {{ customer.first_name }},</p><p>${en.intro}</p><ul>${items}</ul><p><a href="{{ checkout_url }}">Back to your cart</a></p>`,
          text: `Hi {{ customer.first_name }}, ${en.intro} Back to your cart: {{ checkout_url }}`,
        },
      },
      cs: {
        email: {
          subject: cs.subject,
          html: `<p>Dobrý den, {{ customer.first_name }},</p><p>${cs.intro}</p><ul>${items}</ul><p><a href="{{ checkout_url }}">Zpět do košíku</a></p>`,
          text: `Dobrý den, {{ customer.first_name }}, ${cs.intro} Zpět do košíku: {{ checkout_url }}`,
        },
      },
    },
  };
}

const definition = {
  trigger: { event: "checkout.updated", delayMinutes: 30 },
  reentry: { mode: "every_time" },
  exitOnPurchase: true,
  templates: {
    first: reminder(
      {
        subject: "You left something in your cart",
        intro: "your cart at {{ shop.name }} is waiting for you.",
      },
      { subject: "Něco jste zapomněli v košíku", intro: "váš košík v obchodě {{ shop.name }} na vás čeká." },
    ),
    second: reminder(
      {
        subject: "Your cart is reserved for a little longer",
        intro: "we are holding your items only for a limited time.",
      },
      { subject: "Košík vám ještě chvíli podržíme", intro: "vaše zboží pro vás držíme jen omezenou dobu." },
    ),
    third: reminder(
      { subject: "Last reminder about your cart", intro: "this is our last reminder about your cart." },
      {
        subject: "Poslední připomínka vašeho košíku",
        intro: "toto je naše poslední připomínka vašeho košíku.",
      },
    ),
  },
  start: "first",
  steps: [
    { id: "first", type: "send", template: "first", next: "wait-1h" },
    { id: "wait-1h", type: "wait", minutes: 60, next: "second" },
    { id: "second", type: "send", template: "second", next: "wait-24h" },
    { id: "wait-24h", type: "wait", minutes: 24 * 60, next: "third" },
    { id: "third", type: "send", template: "third", next: null },
  ],
};

/** Creates the demo's live flow once (a later run keeps it as the merchant left it). */
export async function ensureDemoFlow(db: Database, shopId: string, now: Date): Promise<boolean> {
  if (await db.flow.findFirst({ where: { shopId, name: demoFlowName } })) return false;
  const flow = await createFlow(db, { shopId, name: demoFlowName, definition, staff: "demo merchant", now });
  await setFlowStatus(db, { shopId, flowId: flow.id, status: "live", staff: "demo merchant", now });
  return true;
}
