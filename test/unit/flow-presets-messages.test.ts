// The flow library's messages (R-CART … R-RESCUE, R-MSG-5): every template of every preset,
// rendered in English and Czech with realistic variables — once with everything present, once
// with every optional part empty — renders without template errors, leaves no liquid behind,
// says what it should in real words, escapes HTML, carries the unsubscribe link when it is
// marketing, keeps SMS to one message and never sends WhatsApp an empty parameter. The renderings
// are snapshotted (inline styles left out: they are the shared layout's, not the preset's).
import { Liquid } from "liquidjs";
import { describe, expect, it } from "vitest";
import { linksOf, type TriggerEvent } from "../../app/flows/definition";
import { flowPresets, presetDefinition, whatsAppTemplates } from "../../app/flows/presets/index";
import { composeMessage, type MessageTemplate } from "../../app/messaging/compose";
import type { MessageContent } from "../../app/messaging/outbox";
import { templateLocales, type TemplateLocale } from "../../app/messaging/templates";
import {
  presetSampleVariables,
  sampleDiscountCode,
  type SampleCompleteness,
} from "../support/preset-variables";

interface TemplateCase {
  name: string;
  trigger: TriggerEvent;
  template: MessageTemplate;
  marketing: boolean;
  /** Only reached through a discount step: the engine leaves the flow rather than send it without a code. */
  afterDiscount: boolean;
}

/** Option settings whose templates differ from the defaults' (rendered too). */
const optionVariants: { presetId: string; label: string; options: Record<string, unknown> }[] = [
  { presetId: "abandoned-checkout", label: "without discount", options: { discount: false } },
  { presetId: "replenishment", label: "with discount", options: { discount: true } },
  { presetId: "birthday", label: "without gift", options: { discount: false } },
  { presetId: "purchase-anniversary", label: "with gift", options: { discount: true } },
  { presetId: "rescue-detractor", label: "without discount", options: { discount: false } },
  { presetId: "rescue-cancelled-order", label: "without discount", options: { discount: false } },
];

function templateCases(
  presetId: string,
  label: string | null,
  options: Record<string, unknown>,
): TemplateCase[] {
  const definition = presetDefinition(presetId, options);
  const defaults = presetDefinition(presetId);
  return Object.entries(definition.templates)
    .filter(
      ([key, template]) =>
        label === null || JSON.stringify(defaults.templates[key]) !== JSON.stringify(template),
    )
    .map(([key, template]) => ({
      name: `${presetId}/${key}${label ? ` (${label})` : ""}`,
      trigger: definition.trigger.event,
      template,
      marketing: definition.steps.some(
        (step) => step.type === "send" && step.template === key && step.purpose === "marketing",
      ),
      afterDiscount: definition.steps
        .filter((step) => step.type === "send" && step.template === key)
        .every((send) => {
          const into = definition.steps.filter((step) => linksOf(step).includes(send.id));
          return into.length > 0 && into.every((step) => step.type === "discount");
        }),
    }));
}

const cases: TemplateCase[] = [
  ...flowPresets.flatMap((preset) => templateCases(preset.id, null, {})),
  ...optionVariants.flatMap((variant) => templateCases(variant.presetId, variant.label, variant.options)),
];

/** Words each message must say (in the subject or the text part), so it is about what it claims. */
const keyPhrases: Record<string, Record<TemplateLocale, string[]>> = {
  "abandoned-checkout/first-reminder": {
    en: ["your cart", "Return to your cart"],
    cs: ["košík", "Dokončit objednávku"],
  },
  "abandoned-checkout/second-reminder": {
    en: ["only for a limited time"],
    cs: ["jen omezenou dobu", "košík"],
  },
  "abandoned-checkout/third-reminder": {
    en: ["last reminder", "CART-7KX2QF", "10% off"],
    cs: ["poslední připomínku", "CART-7KX2QF", "slevu 10\u00a0%"],
  },
  "abandoned-checkout/third-reminder (without discount)": {
    en: ["last reminder"],
    cs: ["poslední připomínku", "košík"],
  },
  "welcome/welcome": { en: ["Welcome", "Thank you for joining"], cs: ["Vítejte", "děkujeme"] },
  "welcome/member-benefits": { en: ["Thank you for your order"], cs: ["děkujeme za vaši objednávku"] },
  "welcome/recently-viewed": { en: ["Still thinking"], cs: ["rozmýšlíte"] },
  "welcome/bestsellers": { en: ["favourites"], cs: ["nejoblíbenější"] },
  "post-purchase-thank-you/first-order": { en: ["first order"], cs: ["první objednávk"] },
  "post-purchase-thank-you/repeat-order": { en: ["again"], cs: ["znovu nakoupili"] },
  "win-back/newest-products": { en: ["We miss you", "New arrivals"], cs: ["Chybíte nám", "Novinky"] },
  "win-back/recommendations": { en: ["picked", "Picked for you"], cs: ["Vybrali jsme pro vás"] },
  "win-back/follow-up": { en: ["expires soon"], cs: ["brzy vyprší"] },
  "browse-abandonment/browse-reminder": {
    en: ["Still thinking about Cashmere Beanie?", "Take another look"],
    cs: ["Mátový sirup: ještě se rozmýšlíte?", "Prohlédnout znovu"],
  },
  "delivery-and-nps/delivery-update": {
    en: ["Your order #1001 is on its way", "Track your order"],
    cs: ["Vaše objednávka #1001 je na cestě", "Sledovat zásilku"],
  },
  "delivery-and-nps/nps-question": {
    en: [
      "How likely are you to recommend Juniper & Oak to a friend?",
      "10: https://app.stayloop.example/nps/ord_1001/10?s=sig10",
    ],
    cs: [
      "doporučili svým známým?",
      "0: https://app.stayloop.example/nps/ord_1001/0?s=sig0",
      "Přidejte komentář",
    ],
  },
  "replenishment/reminder": {
    en: [
      "Time to restock Cashmere Beanie?",
      "Reorder in one click: https://juniper-and-oak.myshopify.com/cart/44123456789:2",
    ],
    cs: [
      "čas doplnit zásoby",
      "Objednat znovu jedním kliknutím: https://lesni-bylinky.cz/cart/44123456789:2",
    ],
  },
  "replenishment/reminder (with discount)": {
    en: ["5% off your next order", "CART-7KX2QF"],
    cs: ["sleva 5\u00a0% na další nákup", "CART-7KX2QF"],
  },
  "loyalty-tier-reached/message": {
    en: ["Welcome to Gold!", "Only 380 points to go until Platinum."],
    cs: ["jste na úrovni Zlatá", "chybí už jen 380 bodů"],
  },
  "loyalty-points-expiring/message": {
    en: ["350 points will expire on December 31, 2026"],
    cs: ["350 bodů s platností do 31. 12. 2026", "propadnou"],
  },
  "loyalty-reward-available/message": {
    en: ["enough points for “$10 off your order”", "this reward costs 500 points"],
    cs: ["na odměnu „Sleva 200 Kč na nákup“", "odměna stojí 500 bodů"],
  },
  "birthday/message": {
    en: ["Happy birthday, Emma!", "15% off your next order", "CART-7KX2QF"],
    cs: ["Všechno nejlepší k narozeninám!", "sleva 15\u00a0%", "Platí 14 dní"],
  },
  "birthday/message (without gift)": {
    en: ["Happy birthday"],
    cs: ["narozeninám"],
  },
  "purchase-anniversary/message": {
    en: ["2 years together", "It has been 2 years since your first order"],
    cs: ["Jsme spolu už 2 roky", "uplynuly už 2 roky"],
  },
  "purchase-anniversary/message (with gift)": {
    en: ["10% off your next order"],
    cs: ["sleva 10\u00a0% na další nákup"],
  },
  "rescue-detractor/apology": {
    en: ["We are sorry", "Thank you for your honest feedback", "15% off"],
    cs: ["Omlouváme se", "upřímné hodnocení", "sleva 15\u00a0%"],
  },
  "rescue-detractor/apology (without discount)": {
    en: ["tell us what went wrong"],
    cs: ["co se pokazilo"],
  },
  "rescue-cancelled-order/apology": {
    en: ["cancelled order #1001", "refund", "10% off"],
    cs: ["zrušená objednávka #1001", "vrácení peněz", "sleva 10\u00a0%"],
  },
  "rescue-cancelled-order/apology (without discount)": {
    en: ["has been cancelled"],
    cs: ["byla zrušena"],
  },
};

/** Phrases the full sample must show in the message (and only when present, per the contract). */
const fullOnly: Record<TemplateLocale, { unsubscribe: string; shopInHtml: string }> = {
  en: {
    unsubscribe: "https://app.stayloop.example/u/eyJrIjoidSJ9.sig?x=1&y=2",
    shopInHtml: "Juniper &amp; Oak",
  },
  cs: { unsubscribe: "https://app.stayloop.example/u/eyJrIjoidSJ9.sig?x=1&y=2", shopInHtml: "Lesní bylinky" },
};

/**
 * An SMS's length with each link counted as 30 characters (a shop's own domain, or a short link):
 * Shopify's checkout-recovery and order-status links alone are 100–150 characters.
 */
function smsLength(body: string): number {
  return body.replace(/https?:\/\/\S+/g, "x".repeat(30)).length;
}

function allParts(content: MessageContent): string[] {
  return [
    content.email?.subject ?? "",
    content.email?.html ?? "",
    content.email?.text ?? "",
    content.sms?.body ?? "",
    ...(content.whatsapp && "template" in content.whatsapp ? content.whatsapp.template.parameters : []),
  ];
}

function forSnapshot(content: MessageContent) {
  return {
    ...content,
    email: content.email && { ...content.email, html: content.email.html.replace(/ style="[^"]*"/g, "") },
  };
}

const renderings = cases.flatMap((testCase) =>
  templateLocales.flatMap((locale) =>
    (["full", "sparse"] as SampleCompleteness[]).map(
      (completeness) => [testCase.name, locale, completeness, testCase] as const,
    ),
  ),
);

describe("flow preset messages", () => {
  it("has key phrases for every template", () => {
    expect(cases.map((testCase) => testCase.name).sort()).toEqual(Object.keys(keyPhrases).sort());
  });

  it("sends only WhatsApp templates whose approval text is written, with one placeholder per parameter", () => {
    const used = new Set<string>();
    for (const testCase of cases) {
      for (const locale of templateLocales) {
        const whatsapp = testCase.template.versions[locale]?.whatsapp;
        if (!whatsapp) throw new Error(`${testCase.name}: no WhatsApp version in ${locale}`);
        used.add(whatsapp.templateName);
        const text = whatsAppTemplates[whatsapp.templateName];
        expect(text, `${testCase.name}: ${whatsapp.templateName}`).toBeDefined();
        if (!text) continue;
        expect(whatsapp.category).toBe(text.category);
        const body = text.body[locale];
        const placeholders = [...body.matchAll(/\{\{(\d+)\}\}/g)].map((match) => Number(match[1]));
        expect(new Set(placeholders), `${whatsapp.templateName} (${locale})`).toEqual(
          new Set(whatsapp.parameters.map((_, index) => index + 1)),
        );
        // Meta refuses a body that starts or ends with a placeholder.
        expect(body.trim()).not.toMatch(/^\{\{\d+\}\}|\{\{\d+\}\}$/);
        if (locale === "cs") expect(body).toMatch(/[áčďéěíňóřšťúůýž]/);
        if (text.category === "marketing") expect(body).toContain("STOP");
      }
    }
    expect([...used].sort()).toEqual(Object.keys(whatsAppTemplates).sort());
  });

  it("reads only variables the engine provides (a misspelt one would render as nothing)", () => {
    const analysis = new Liquid();
    const arrayProperties = new Set(["size", "first", "last"]);
    for (const testCase of cases) {
      const variables: unknown = presetSampleVariables("en", "full", testCase.trigger);
      const sources = Object.values(testCase.template.versions).flatMap((version) => [
        version.email?.subject ?? "",
        version.email?.html ?? "",
        version.email?.text ?? "",
        version.sms?.body ?? "",
        ...(version.whatsapp?.parameters ?? []),
      ]);
      for (const source of sources) {
        for (const path of analysis.globalVariableSegmentsSync(source)) {
          let value: unknown = variables;
          for (const segment of path) {
            const key = String(segment);
            if (Array.isArray(value) && arrayProperties.has(key)) break;
            const known = value !== null && typeof value === "object" && Object.hasOwn(value, key);
            expect(known, `${testCase.name}: {{ ${path.join(".")} }}`).toBe(true);
            value = (value as Record<string, unknown>)[key];
          }
        }
      }
    }
  });

  it.each(renderings)("%s in %s with %s variables", async (name, locale, completeness, testCase) => {
    const variables = presetSampleVariables(locale, completeness, testCase.trigger);
    if (testCase.afterDiscount) variables.discount_code = sampleDiscountCode;
    const content = await composeMessage(testCase.template, variables, "en");
    const email = content.email;
    if (!email || !content.sms || !content.whatsapp)
      throw new Error(`${name}: e-mail, SMS and WhatsApp expected`);

    for (const part of allParts(content)) {
      expect(part).not.toMatch(/\{\{|\}\}|\{%|%\}/);
      expect(part).not.toMatch(/\b(undefined|null|NaN|Lorem|TODO|TBD)\b|\[object /i);
      expect(part).not.toContain("\u{E000}");
    }
    expect(email.subject.trim()).not.toBe("");
    expect(email.subject).not.toMatch(/\s{2}|\s[,.!?]/);
    expect(email.text).not.toMatch(/\n{3,}/);
    for (const words of [email.subject, email.text, content.sms.body])
      expect(words).not.toMatch(/ [,.!?;:](\s|$)|\S {2,}\S/);
    expect(email.text).not.toMatch(/[ \t]+\n/);
    expect(email.html).toMatch(/^<!DOCTYPE html><html lang="(en|cs)">/);
    expect(email.html).toContain(`<html lang="${locale}">`);
    if (!("template" in content.whatsapp)) throw new Error(`${name}: a WhatsApp template expected`);
    expect(content.whatsapp.template.language).toBe(locale);
    for (const parameter of content.whatsapp.template.parameters) expect(parameter.trim()).not.toBe("");
    expect(smsLength(content.sms.body)).toBeLessThanOrEqual(160);

    if (locale === "cs") {
      expect(`${email.subject} ${email.text}`).toMatch(/[áčďéěíňóřšťúůýž]/);
      expect(email.text.startsWith("Dobrý den,")).toBe(true);
    } else {
      expect(email.text.startsWith(completeness === "full" ? "Hi Emma," : "Hi,")).toBe(true);
    }

    if (completeness === "full") {
      const said = `${email.subject}\n${email.text}`;
      for (const phrase of keyPhrases[name]?.[locale] ?? []) expect(said).toContain(phrase);
      expect(email.html).toContain(fullOnly[locale].shopInHtml);
      if (locale === "en") expect(email.html).not.toContain("Juniper & Oak");
      if (testCase.marketing) {
        expect(email.text).toContain(fullOnly[locale].unsubscribe);
        expect(email.html).toContain(fullOnly[locale].unsubscribe.replace("&", "&amp;"));
        expect(content.sms.body).toMatch(/STOP/);
      }
    } else {
      expect(email.html).not.toContain("<img");
      expect(email.text).not.toContain("unsubscribe");
    }

    expect(forSnapshot(content)).toMatchSnapshot();
  });
});
