// R-RESCUE: a detractor NPS answer (0–6) or a cancelled order gets an apology with an incentive,
// once per customer per 90 days (per preset: each is its own flow). The engine's intelligence marks
// the customer at risk; these presets are the message. A cancelled order flagged as fraud never
// gets a discount (once the engine carries Shopify's cancel reason in the event as `cancelReason`).
import {
  button,
  greeting,
  incentiveCode,
  lineItems,
  paragraph,
  presetMessage,
  signOff,
  when,
  type Locale,
} from "./messages";
import {
  incentiveOf,
  incentiveOptions,
  incentiveSteps,
  type FlowDefinitionInput,
  type Incentive,
  type PresetOptionValues,
  type PresetSource,
} from "./preset";
import type { Condition, TriggerEvent } from "../definition";
import type { MessageTemplate } from "../../messaging/compose";

const apologyLead: Record<Locale, string> = { en: "To make it up to you:", cs: "Na usmířenou:" };

function rescueFlow(
  event: TriggerEvent,
  filters: Condition[],
  template: (incentive: Incentive | null) => MessageTemplate,
): (options: PresetOptionValues) => FlowDefinitionInput {
  return (options) => {
    const incentive = incentiveOf(options);
    const discount = incentiveSteps(incentive, { id: "apology-discount", prefix: "SORRY", next: "apology" });
    return {
      trigger: { event, delayMinutes: 0, filters },
      filters: [],
      reentry: { mode: "once_per_days", days: 90 },
      exitOnPurchase: false,
      controlPercent: 0,
      templates: { apology: template(incentive) },
      start: discount.entry,
      steps: [...discount.steps, { id: "apology", type: "send", template: "apology", next: null }],
    };
  };
}

function detractorApology(incentive: Incentive | null): MessageTemplate {
  return presetMessage({
    purpose: "marketing",
    whatsapp: {
      templateName: incentive ? "feedback_apology_gift" : "feedback_apology",
      parameters: ["{{ shop.name }}", incentive ? "{{ discount_code }}" : "{{ shop.url }}"],
    },
    en: {
      subject: "We are sorry, and we would like to make it right",
      preheader: "Thank you for your honest feedback.",
      blocks: [
        greeting("en"),
        paragraph(
          "Thank you for your honest feedback. We are sorry that your experience{% if order.name != blank %} with order {{ order.name }}{% endif %} was not what you hoped for.",
        ),
        paragraph(
          "A real person on our team reads every answer. If you reply to this e-mail and tell us what went wrong, we will do our best to put it right.",
        ),
        ...incentiveCode("en", incentive, apologyLead.en),
        signOff("en"),
      ],
      sms: incentive
        ? "sorry we let you down. Code {{ discount_code }} gives you a discount on your next order: {{ shop.url }}"
        : "sorry we let you down. Reply and tell us what went wrong, we will put it right.",
    },
    cs: {
      subject: "Omlouváme se a rádi to napravíme",
      preheader: "Děkujeme za vaše upřímné hodnocení.",
      blocks: [
        greeting("cs"),
        paragraph(
          "děkujeme za vaše upřímné hodnocení. Mrzí nás, že váš nákup{% if order.name != blank %} (objednávka {{ order.name }}){% endif %} nedopadl tak, jak jste si představovali.",
        ),
        paragraph(
          "Každou odpověď u nás čte skutečný člověk. Když odpovíte na tento e-mail a napíšete nám, co se pokazilo, uděláme vše pro to, abychom to napravili.",
        ),
        ...incentiveCode("cs", incentive, apologyLead.cs),
        signOff("cs"),
      ],
      sms: incentive
        ? "mrzí nás, že jsme vás zklamali. Kód {{ discount_code }} vám dá slevu na další nákup. {{ shop.url }}"
        : "mrzí nás, že jsme vás zklamali. Odpovězte nám, co se pokazilo, a napravíme to.",
    },
  });
}

function cancellationApology(incentive: Incentive | null): MessageTemplate {
  return presetMessage({
    purpose: "marketing",
    whatsapp: {
      templateName: incentive ? "order_cancelled_apology_gift" : "order_cancelled_apology",
      parameters: ["{{ shop.name }}", incentive ? "{{ discount_code }}" : "{{ shop.url }}"],
    },
    en: {
      subject:
        "We are sorry about your cancelled order{% if order.name != blank %} {{ order.name }}{% endif %}",
      preheader: "We would love another chance.",
      blocks: [
        greeting("en"),
        paragraph(
          "Your order{% if order.name != blank %} {{ order.name }}{% endif %} has been cancelled, and we are sorry it did not work out this time.",
        ),
        when("items.size > 0", [lineItems("en")]),
        paragraph(
          "If you have any questions about the cancellation or a refund, just reply to this e-mail and we will help straight away.",
        ),
        ...incentiveCode("en", incentive, apologyLead.en),
        button("Shop again", "shop.url"),
        signOff("en"),
      ],
      sms: incentive
        ? "sorry your order did not work out. Code {{ discount_code }} gives you a discount next time: {{ shop.url }}"
        : "sorry your order did not work out. Questions? Just reply. {{ shop.url }}",
    },
    cs: {
      subject: "Mrzí nás zrušená objednávka{% if order.name != blank %} {{ order.name }}{% endif %}",
      preheader: "Budeme rádi za další šanci.",
      blocks: [
        greeting("cs"),
        paragraph(
          "vaše objednávka{% if order.name != blank %} {{ order.name }}{% endif %} byla zrušena a moc nás mrzí, že to tentokrát nevyšlo.",
        ),
        when("items.size > 0", [lineItems("cs")]),
        paragraph(
          "Pokud máte jakékoli dotazy ke zrušení nebo k vrácení peněz, stačí odpovědět na tento e-mail a hned vám pomůžeme.",
        ),
        ...incentiveCode("cs", incentive, apologyLead.cs),
        button("Nakoupit znovu", "shop.url"),
        signOff("cs"),
      ],
      sms: incentive
        ? "mrzí nás, že objednávka nevyšla. Kód {{ discount_code }} vám dá slevu příště: {{ shop.url }}"
        : "mrzí nás, že objednávka nevyšla. Máte dotaz? Stačí odpovědět. {{ shop.url }}",
    },
  });
}

export const rescueDetractor: PresetSource = {
  id: "rescue-detractor",
  category: "rescue",
  name: { en: "Unhappy customer rescue", cs: "Záchrana nespokojeného zákazníka" },
  description: {
    en: "Answers a low NPS score (0–6) with a personal apology, an invitation to say what went wrong and an optional discount, at most once in 90 days, because an unhappy customer who is heard often stays.",
    cs: "Na nízké hodnocení NPS (0–6) odpoví osobní omluvou, pozváním napsat, co se pokazilo, a volitelnou slevou, nejvýše jednou za 90 dní, protože nespokojený zákazník, kterého vyslechnete, často zůstane.",
  },
  options: incentiveOptions({ on: true, percent: 15, days: 30 }),
  build: rescueFlow(
    "nps.answered",
    [{ kind: "event", property: "score", operator: "at_most", value: 6 }],
    detractorApology,
  ),
};

export const rescueCancelledOrder: PresetSource = {
  id: "rescue-cancelled-order",
  category: "rescue",
  name: { en: "Cancelled order apology", cs: "Omluva za zrušenou objednávku" },
  description: {
    en: "Apologises when an order is cancelled and offers an optional discount for the next one, at most once in 90 days, because a cancellation handled warmly keeps a disappointed customer from leaving for good.",
    cs: "Omluví se, když je objednávka zrušena, a nabídne volitelnou slevu na další nákup, nejvýše jednou za 90 dní, protože vstřícně vyřízené zrušení udrží zklamaného zákazníka, aby neodešel nadobro.",
  },
  options: incentiveOptions({ on: true, percent: 10, days: 30 }),
  build: rescueFlow(
    "order.cancelled",
    [{ kind: "event", property: "cancelReason", operator: "not_equals", value: "fraud" }],
    cancellationApology,
  ),
};
