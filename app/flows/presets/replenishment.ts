// R-REPL: the engine learns how long a product lasts (the shop's median repeat interval per unit,
// or the customer's own rhythm, or the merchant's override) and announces replenishment.due at
// due − lead time, so the reminder goes at once: the product, a cart permalink that reorders it
// in one click, an optional incentive and a few things that go with it. Any purchase ends the run
// (the engine also drops the timer when they rebuy first).
import {
  button,
  featuredProduct,
  greeting,
  incentiveCode,
  paragraph,
  presetMessage,
  productList,
  signOff,
  when,
  type Block,
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

const reorder = "reorder_url | default: product.url | default: shop.url";

function blocks(locale: Locale, incentive: Incentive | null): Block[] {
  const copy = {
    en: {
      intro: when(
        "product",
        [
          paragraph(
            "By our estimate you will soon be running low on {{ product.title }}. Reorder now and it arrives before you run out.",
          ),
        ],
        [
          paragraph(
            "By our estimate you will soon be running low on what you ordered last time. Reorder now and it arrives before you run out.",
          ),
        ],
      ),
      view: "View product",
      cta: "Reorder in one click",
      lead: "To make it even easier:",
      also: "Customers also buy",
    },
    cs: {
      intro: when(
        "product",
        [
          paragraph(
            "podle našeho odhadu se vám brzy minou zásoby z minulé objednávky ({{ product.title }}). Objednejte si včas, ať dorazí dřív, než dojdou.",
          ),
        ],
        [
          paragraph(
            "podle našeho odhadu se vám brzy minou zásoby z minulé objednávky. Objednejte si včas, ať dorazí dřív, než dojdou.",
          ),
        ],
      ),
      view: "Zobrazit produkt",
      cta: "Objednat znovu jedním kliknutím",
      lead: "Aby to bylo ještě snazší:",
      also: "Zákazníci k tomu kupují",
    },
  }[locale];
  return [
    greeting(locale),
    copy.intro,
    featuredProduct(copy.view),
    ...incentiveCode(locale, incentive, copy.lead),
    button(copy.cta, reorder),
    productList("recommendations", copy.also),
    signOff(locale),
  ];
}

function reminder(incentive: Incentive | null) {
  return presetMessage({
    purpose: "marketing",
    whatsapp: { templateName: "replenishment_reminder", parameters: ["{{ shop.name }}", `{{ ${reorder} }}`] },
    en: {
      subject: "{% if product %}Time to restock {{ product.title }}?{% else %}Time to restock?{% endif %}",
      preheader: "Reorder in one click, before you run out.",
      blocks: blocks("en", incentive),
      sms: `running low? Reorder in one click: {{ ${reorder} }}`,
    },
    cs: {
      subject:
        "{% if product %}{{ product.title }}: čas doplnit zásoby?{% else %}Čas doplnit zásoby?{% endif %}",
      preheader: "Objednejte znovu jedním kliknutím, než vám dojdou.",
      blocks: blocks("cs", incentive),
      sms: `docházejí vám zásoby? Objednejte znovu jedním kliknutím: {{ ${reorder} }}`,
    },
  });
}

function build(options: PresetOptionValues): FlowDefinitionInput {
  const incentive = incentiveOf(options);
  const discount = incentiveSteps(incentive, { id: "reorder-discount", prefix: "REFILL", next: "reminder" });
  return {
    trigger: { event: "replenishment.due", delayMinutes: 0, filters: [] },
    filters: [],
    reentry: { mode: "every_time" },
    exitOnPurchase: true,
    controlPercent: 0,
    templates: { reminder: reminder(incentive) },
    start: discount.entry,
    steps: [...discount.steps, { id: "reminder", type: "send", template: "reminder", next: null }],
  };
}

export const replenishment: PresetSource = {
  id: "replenishment",
  category: "replenishment",
  name: { en: "Replenishment reminder", cs: "Připomínka doplnění zásob" },
  description: {
    en: "Reminds customers to reorder a consumable a few days before it runs out, timed from how long it lasts for them and other customers, with a one-click reorder link, because a reminder at the right moment keeps them from buying it elsewhere.",
    cs: "Připomene zákazníkům pár dní předem, že jim dochází spotřební zboží, podle toho, jak dlouho jim i ostatním zákazníkům vydrží, s odkazem na opakovanou objednávku jedním kliknutím, protože připomínka ve správnou chvíli jim nedá důvod nakoupit jinde.",
  },
  options: incentiveOptions({ on: false, percent: 5, days: 7 }),
  build,
};
