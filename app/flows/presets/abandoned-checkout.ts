// R-CART: three reminders for a checkout left with contact details. The trigger's delay is the
// abandonment delay (30 min–24 h); the reminders are timed from the checkout's last update:
//   1st at max(1 h, delay), 2nd at max(24 h, 1st + 12 h), 3rd at max(72 h, 2nd + 24 h)
// so the default 30-minute delay gives 1 h, 24 h and 72 h (the first wait counted from the update,
// then 23 h and 48 h), and a long delay keeps the reminders at least 12 h and 24 h apart. The third may
// carry a unique discount code (the engine's discount step, created just before it is sent).
import {
  button,
  dayCount,
  discountCode,
  greeting,
  lineItems,
  paragraph,
  percent,
  presetMessage,
  productList,
  signOff,
  type Locale,
} from "./messages";
import {
  incentiveOf,
  incentiveOptions,
  incentiveSteps,
  integerOption,
  minutesPerDay,
  type FlowStepInput,
  type Incentive,
  type PresetOptionValues,
  type PresetSource,
} from "./preset";

/** Minutes after the checkout's last update at which each reminder goes, for an abandonment delay. */
export function abandonedCheckoutSchedule(delayMinutes: number): [number, number, number] {
  const first = Math.max(60, delayMinutes);
  const second = Math.max(minutesPerDay, first + 12 * 60);
  const third = Math.max(3 * minutesPerDay, second + minutesPerDay);
  return [first, second, third];
}

const recommendationsTitle: Record<Locale, string> = {
  en: "Goes well with your cart",
  cs: "K vašemu košíku se hodí",
};

const help: Record<Locale, string> = {
  en: "Questions about your order, delivery or payment? Just reply to this e-mail, we are happy to help.",
  cs: "Máte dotaz k objednávce, dopravě nebo platbě? Stačí odpovědět na tento e-mail, rádi vám poradíme.",
};

const backToCart: Record<Locale, string> = { en: "Return to your cart", cs: "Dokončit objednávku" };

function cartBody(locale: Locale, intro: string[], extra: ReturnType<typeof paragraph>[] = []) {
  return [
    greeting(locale),
    ...intro.map(paragraph),
    lineItems(locale),
    ...extra,
    button(backToCart[locale], "checkout_url"),
    paragraph(help[locale]),
    productList("recommendations", recommendationsTitle[locale]),
    signOff(locale),
  ];
}

const firstReminder = presetMessage({
  purpose: "marketing",
  whatsapp: {
    templateName: "abandoned_cart_reminder",
    parameters: ["{{ shop.name }}", "{{ checkout_url }}"],
  },
  en: {
    subject: "You left something in your cart",
    preheader: "We saved your items, so you can pick up right where you left off.",
    blocks: cartBody("en", [
      "You left a few things in your cart at {{ shop.name }}. We saved them for you, so you can pick up right where you left off.",
    ]),
    sms: "you left items in your cart. Finish your order here: {{ checkout_url }}",
  },
  cs: {
    subject: "Ve vašem košíku na vás něco čeká",
    preheader: "Zboží jsme vám uložili, můžete pokračovat tam, kde jste skončili.",
    blocks: cartBody("cs", [
      "ve vašem košíku v obchodě {{ shop.name }} zůstalo zboží. Uložili jsme vám ho, takže můžete pokračovat tam, kde jste skončili.",
    ]),
    sms: "ve vašem košíku zůstalo zboží. Dokončete objednávku: {{ checkout_url }}",
  },
});

const secondReminder = presetMessage({
  purpose: "marketing",
  whatsapp: { templateName: "abandoned_cart_held", parameters: ["{{ shop.name }}", "{{ checkout_url }}"] },
  en: {
    subject: "Your cart is only held for a limited time",
    preheader: "Popular items sell out quickly.",
    blocks: cartBody("en", [
      "Just a friendly reminder: we are holding the items in your cart only for a limited time, and popular items sell out quickly.",
    ]),
    sms: "we hold your cart only for a limited time. Complete your order: {{ checkout_url }}",
  },
  cs: {
    subject: "Váš košík držíme jen omezenou dobu",
    preheader: "Oblíbené zboží se rychle vyprodává.",
    blocks: cartBody("cs", [
      "jen připomínáme, že zboží ve vašem košíku pro vás držíme jen omezenou dobu. Oblíbené zboží se rychle vyprodává.",
    ]),
    sms: "váš košík držíme jen omezenou dobu. Dokončete objednávku: {{ checkout_url }}",
  },
});

function thirdReminder(discount: Incentive | null) {
  if (!discount) {
    return presetMessage({
      purpose: "marketing",
      whatsapp: {
        templateName: "abandoned_cart_last_call",
        parameters: ["{{ shop.name }}", "{{ checkout_url }}"],
      },
      en: {
        subject: "Last reminder: your cart is still waiting",
        preheader: "After this we will stop reminding you, promise.",
        blocks: cartBody("en", [
          "This is our last reminder about your cart. If you still want these items, they are one click away.",
        ]),
        sms: "last reminder about your cart: {{ checkout_url }}",
      },
      cs: {
        subject: "Poslední připomínka: váš košík stále čeká",
        preheader: "Pak už vás nebudeme rušit, slibujeme.",
        blocks: cartBody("cs", [
          "posíláme poslední připomínku vašeho košíku. Pokud o zboží stále stojíte, dělí vás od něj jediné kliknutí.",
        ]),
        sms: "poslední připomínka vašeho košíku: {{ checkout_url }}",
      },
    });
  }
  const en = { off: percent("en", discount.percentOff), days: dayCount("en", discount.days) };
  const cs = { off: percent("cs", discount.percentOff), days: dayCount("cs", discount.days) };
  return presetMessage({
    purpose: "marketing",
    whatsapp: {
      templateName: "abandoned_cart_last_call_discount",
      parameters: ["{{ shop.name }}", "{{ discount_code }}", "{{ checkout_url }}"],
    },
    en: {
      subject: `{% if discount_code != blank %}${en.off} off your cart, just for you{% else %}Last reminder: your cart is still waiting{% endif %}`,
      preheader: "Our last reminder, with a little something to help you decide.",
      blocks: cartBody(
        "en",
        ["This is our last reminder about your cart, and we would like to make it easier to say yes."],
        [
          discountCode({
            before: `Your personal code for ${en.off} off:`,
            after: `Enter it at checkout. It works once and is valid for ${en.days}.`,
          }),
        ],
      ),
      sms: `last reminder! Code {{ discount_code }} takes ${en.off} off your cart for ${en.days}: {{ checkout_url }}`,
    },
    cs: {
      subject: `{% if discount_code != blank %}Sleva ${cs.off} na váš košík, jen pro vás{% else %}Poslední připomínka: váš košík stále čeká{% endif %}`,
      preheader: "Poslední připomínka a k ní malý dárek, který vám usnadní rozhodování.",
      blocks: cartBody(
        "cs",
        ["posíláme poslední připomínku vašeho košíku a rádi bychom vám rozhodování usnadnili."],
        [
          discountCode({
            before: `Váš osobní kód na slevu ${cs.off}:`,
            after: `Zadejte ho v pokladně. Platí ${cs.days} a lze ho použít jednou.`,
          }),
        ],
      ),
      sms: `poslední připomínka! Kód {{ discount_code }} = sleva ${cs.off} na ${cs.days}: {{ checkout_url }}`,
    },
  });
}

function build(options: PresetOptionValues) {
  const delayMinutes = integerOption(options, "delayMinutes");
  const incentive = incentiveOf(options);
  const discount = incentiveSteps(incentive, {
    id: "third-discount",
    prefix: "CART",
    next: "third-reminder",
  });
  const [first, second, third] = abandonedCheckoutSchedule(delayMinutes);
  const steps: FlowStepInput[] = [];
  if (first > delayMinutes)
    // Counted from the checkout's last update: a checkout whose webhook came late is not reminded late.
    steps.push({ id: "wait-first", type: "wait", from: "trigger", minutes: first, next: "first-reminder" });
  steps.push(
    { id: "first-reminder", type: "send", template: "first-reminder", next: "wait-second" },
    { id: "wait-second", type: "wait", minutes: second - first, next: "second-reminder" },
    { id: "second-reminder", type: "send", template: "second-reminder", next: "wait-third" },
    { id: "wait-third", type: "wait", minutes: third - second, next: discount.entry },
    ...discount.steps,
    { id: "third-reminder", type: "send", template: "third-reminder", next: null },
  );
  return {
    trigger: { event: "checkout.updated" as const, delayMinutes, filters: [] },
    filters: [],
    reentry: { mode: "every_time" as const },
    exitOnPurchase: true,
    controlPercent: 0,
    templates: {
      "first-reminder": firstReminder,
      "second-reminder": secondReminder,
      "third-reminder": thirdReminder(incentive),
    },
    start: steps[0]?.id ?? "first-reminder",
    steps,
  };
}

export const abandonedCheckout: PresetSource = {
  id: "abandoned-checkout",
  category: "cart",
  name: { en: "Abandoned checkout", cs: "Opuštěný košík" },
  description: {
    en: "Sends up to three reminders (1 h, 24 h and 72 h after the checkout was left) with the cart's items and a link straight back to checkout, the last one with an optional discount, because most abandoned carts are recovered by a timely nudge.",
    cs: "Pošle až tři připomínky (1 h, 24 h a 72 h po opuštění pokladny) se zbožím z košíku a odkazem rovnou zpět do pokladny, poslední s volitelnou slevou, protože většinu opuštěných košíků zachrání včasné připomenutí.",
  },
  options: [
    {
      key: "delayMinutes",
      kind: "integer",
      unit: "minutes",
      min: 30,
      max: 24 * 60,
      default: 30,
      label: { en: "Abandonment delay", cs: "Prodleva opuštění" },
      help: {
        en: "How long a checkout must stay untouched before it counts as abandoned; reminders follow at 1 h, 24 h and 72 h after its last update (at least 12 h and 24 h apart for long delays).",
        cs: "Jak dlouho musí pokladna zůstat nedotčená, aby se považovala za opuštěnou; připomínky následují 1 h, 24 h a 72 h po poslední změně (u dlouhých prodlev nejméně 12 h a 24 h po sobě).",
      },
    },
    ...incentiveOptions({
      on: true,
      percent: 10,
      days: 7,
      help: {
        en: "Creates a unique single-use code just before the third reminder and shows it in the message.",
        cs: "Těsně před třetí připomínkou vytvoří jedinečný jednorázový kód a ukáže ho ve zprávě.",
      },
    }),
  ],
  build,
};
