// R-POST (thank-you): a day or a few after the order is paid, a thank-you with what they bought,
// the order status link, the points it earned and suggestions that go with it. First-time buyers
// get a congratulation variant: the second order is the hardest one to win.
import {
  button,
  countOf,
  greeting,
  lineItems,
  paragraph,
  pointForms,
  presetMessage,
  productList,
  signOff,
  when,
  type Block,
  type Locale,
} from "./messages";
import {
  integerOption,
  minutesPerDay,
  type FlowDefinitionInput,
  type PresetOptionValues,
  type PresetSource,
} from "./preset";

function orderBlocks(locale: Locale, intro: string): Block[] {
  const copy = {
    en: {
      bought: "Here is what you ordered:",
      status: "We will let you know when it ships. You can check your order at any time:",
      statusButton: "View your order",
      points: `{% if points.pending > 0 %}This order will earn you ${countOf("en", "points.pending", pointForms)} once it is confirmed. {% endif %}You now have ${countOf("en", "points.balance", pointForms)} to spend on rewards.`,
      suggestions: "Goes well with your order",
    },
    cs: {
      bought: "Tohle jste si objednali:",
      status: "Jakmile zásilku odešleme, dáme vám vědět. Stav objednávky můžete kdykoli zkontrolovat:",
      statusButton: "Zobrazit objednávku",
      points: `{% if points.pending > 0 %}Za tuto objednávku získáte ${countOf("cs", "points.pending", pointForms)}, jakmile ji potvrdíme. {% endif %}Na odměny teď máte ${countOf("cs", "points.balance", pointForms)}.`,
      suggestions: "K vaší objednávce se hodí",
    },
  }[locale];
  return [
    greeting(locale),
    paragraph(intro),
    when("items.size > 0", [paragraph(copy.bought), lineItems(locale)]),
    when("order.status_url != blank", [
      paragraph(copy.status),
      button(copy.statusButton, "order.status_url"),
    ]),
    when("loyalty.enabled", [paragraph(copy.points)]),
    productList("recommendations", copy.suggestions),
    signOff(locale),
  ];
}

const firstOrderThanks = presetMessage({
  purpose: "marketing",
  whatsapp: {
    templateName: "first_order_thank_you",
    parameters: ["{{ shop.name }}", "{{ order.name | default: shop.name }}", "{{ shop.url }}"],
  },
  en: {
    subject: "Thank you for your first order{% if order.name != blank %} {{ order.name }}{% endif %}!",
    preheader: "Welcome to {{ shop.name }}. We are so glad you chose us.",
    blocks: orderBlocks(
      "en",
      "Congratulations on your first order with {{ shop.name }}, and thank you for choosing us! We are already getting it ready for you.",
    ),
    sms: "thank you for your first order! We are getting it ready. Order status: {{ order.status_url | default: shop.url }}",
  },
  cs: {
    subject: "Děkujeme za vaši první objednávku{% if order.name != blank %} {{ order.name }}{% endif %}!",
    preheader: "Vítejte v obchodě {{ shop.name }}. Moc nás těší, že jste si vybrali právě nás.",
    blocks: orderBlocks(
      "cs",
      "gratulujeme k první objednávce v obchodě {{ shop.name }} a děkujeme, že jste si vybrali právě nás! Už ji pro vás chystáme.",
    ),
    sms: "děkujeme za první objednávku! Už ji chystáme. Stav: {{ order.status_url | default: shop.url }}",
  },
});

const repeatOrderThanks = presetMessage({
  purpose: "marketing",
  whatsapp: {
    templateName: "order_thank_you",
    parameters: ["{{ shop.name }}", "{{ order.name | default: shop.name }}", "{{ shop.url }}"],
  },
  en: {
    subject: "Thanks for shopping with us again{% if order.name != blank %} ({{ order.name }}){% endif %}",
    preheader: "It is great to see you back.",
    blocks: orderBlocks(
      "en",
      "Thank you for ordering from {{ shop.name }} again. It is great to see you back, and we are already preparing your order.",
    ),
    sms: "thanks for ordering again! We are preparing your order. Status: {{ order.status_url | default: shop.url }}",
  },
  cs: {
    subject:
      "Děkujeme, že jste u nás znovu nakoupili{% if order.name != blank %} ({{ order.name }}){% endif %}",
    preheader: "Moc nás těší, že se vracíte.",
    blocks: orderBlocks(
      "cs",
      "děkujeme, že jste v obchodě {{ shop.name }} znovu nakoupili. Moc nás těší, že se k nám vracíte, a vaši objednávku už chystáme.",
    ),
    sms: "děkujeme za další nákup! Objednávku chystáme. Stav: {{ order.status_url | default: shop.url }}",
  },
});

function build(options: PresetOptionValues): FlowDefinitionInput {
  return {
    trigger: {
      event: "order.paid",
      delayMinutes: integerOption(options, "delayDays") * minutesPerDay,
      filters: [],
    },
    filters: [],
    reentry: { mode: "every_time" },
    exitOnPurchase: false,
    controlPercent: 0,
    templates: { "first-order": firstOrderThanks, "repeat-order": repeatOrderThanks },
    start: "first-order-check",
    steps: [
      {
        id: "first-order-check",
        type: "condition",
        condition: { kind: "profile", field: "ordersCount", operator: "at_most", value: 1 },
        yes: "thank-first-order",
        no: "thank-repeat-order",
      },
      { id: "thank-first-order", type: "send", template: "first-order", next: null },
      { id: "thank-repeat-order", type: "send", template: "repeat-order", next: null },
    ],
  };
}

export const postPurchase: PresetSource = {
  id: "post-purchase-thank-you",
  category: "post_purchase",
  name: { en: "Post-purchase thank-you", cs: "Poděkování za nákup" },
  description: {
    en: "Thanks the customer a day after a paid order with what they bought, the points it earned and matching suggestions, with a congratulation variant for first-time buyers, because a warm follow-up makes the second order far more likely.",
    cs: "Den po zaplacení objednávky zákazníkovi poděkuje, připomene, co si koupil, kolik získal bodů, a nabídne vhodné doplňky, přičemž noví zákazníci dostanou gratulační verzi, protože vřelé poděkování výrazně zvyšuje šanci na druhý nákup.",
  },
  options: [
    {
      key: "delayDays",
      kind: "integer",
      unit: "days",
      min: 1,
      max: 7,
      default: 1,
      label: { en: "Send after", cs: "Odeslat po" },
      help: {
        en: "Days after the order is paid.",
        cs: "Počet dní po zaplacení objednávky.",
      },
    },
  ],
  build,
};
