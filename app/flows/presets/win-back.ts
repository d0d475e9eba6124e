// R-WIN: starts when a customer becomes "at risk" (past k × their own rhythm, or the shop's floor
// for one-time buyers). The incentive follows their value band — none for low, a small discount
// for medium, a larger one for high — so margin goes where it pays back; an A/B test compares the
// newest products with personalised recommendations; e-mail first, SMS as the fallback; any order
// ends the run.
import {
  button,
  dayCount,
  discountCode,
  greeting,
  paragraph,
  presetMessage,
  productList,
  signOff,
  when,
  type Block,
  type Locale,
  type ProductList,
} from "./messages";
import {
  incentiveSteps,
  integerOption,
  minutesPerDay,
  PresetOptionError,
  type FlowDefinitionInput,
  type PresetOptionValues,
  type PresetSource,
} from "./preset";

const fallbackChannels: ["email", "sms"] = ["email", "sms"];

function codeBlock(locale: Locale, days: number): Block {
  return locale === "en"
    ? discountCode({
        before:
          "As a thank-you for being our customer, here is a personal discount code for your next order:",
        after: `It is valid for ${dayCount("en", days)} and works once.`,
      })
    : discountCode({
        before: "Jako poděkování za vaši přízeň pro vás máme osobní slevový kód na příští nákup:",
        after: `Platí ${dayCount("cs", days)} a lze ho použít jednou.`,
      });
}

function comeBack(
  locale: Locale,
  days: number,
  intro: string,
  list: ProductList,
  listTitle: string,
  cta: string,
): Block[] {
  return [
    greeting(locale),
    paragraph(intro),
    codeBlock(locale, days),
    productList(list, listTitle),
    button(cta, "shop.url"),
    signOff(locale),
  ];
}

function templates(days: number) {
  const whatsapp = {
    templateName: "win_back",
    // Not every recipient has a code (low value band), so the WhatsApp text does not mention one.
    parameters: ["{{ shop.name }}", "{{ shop.url }}"],
  };
  const sms = {
    en: "we miss you!{% if discount_code != blank %} Code {{ discount_code }} gives you a discount on your next order.{% endif %} See what is new: {{ shop.url }}",
    cs: "chybíte nám!{% if discount_code != blank %} S kódem {{ discount_code }} máte slevu na další nákup.{% endif %} Novinky: {{ shop.url }}",
  };
  const newest = presetMessage({
    purpose: "marketing",
    whatsapp,
    en: {
      subject: "We miss you at {{ shop.name }}",
      preheader: "It has been a while. Here is what is new.",
      blocks: comeBack(
        "en",
        days,
        "It has been a while since your last order, and a lot has happened since. Here is what is new at {{ shop.name }}.",
        "newest_products",
        "New arrivals",
        "See what is new",
      ),
      sms: sms.en,
    },
    cs: {
      subject: "Chybíte nám",
      preheader: "Už je to nějaký čas. Podívejte se, co je u nás nového.",
      blocks: comeBack(
        "cs",
        days,
        "od vaší poslední objednávky už uběhla nějaká doba a mezitím se u nás leccos změnilo. Podívejte se, co je v obchodě {{ shop.name }} nového.",
        "newest_products",
        "Novinky",
        "Prohlédnout novinky",
      ),
      sms: sms.cs,
    },
  });
  const recommended = presetMessage({
    purpose: "marketing",
    whatsapp,
    en: {
      subject: "We picked a few things for you",
      preheader: "Based on what you loved before.",
      blocks: comeBack(
        "en",
        days,
        "It has been a while since your last order, so we picked a few things we think you will like, based on what you bought before.",
        "recommendations",
        "Picked for you",
        "Shop your picks",
      ),
      sms: sms.en,
    },
    cs: {
      subject: "Vybrali jsme pro vás pár tipů",
      preheader: "Podle toho, co se vám líbilo minule.",
      blocks: comeBack(
        "cs",
        days,
        "od vaší poslední objednávky už uběhla nějaká doba, a tak jsme podle vašich dřívějších nákupů vybrali pár věcí, které by se vám mohly líbit.",
        "recommendations",
        "Vybrali jsme pro vás",
        "Prohlédnout výběr",
      ),
      sms: sms.cs,
    },
  });
  const followUp = presetMessage({
    purpose: "marketing",
    whatsapp: { ...whatsapp, templateName: "win_back_reminder" },
    en: {
      subject:
        "{% if discount_code != blank %}Your discount code expires soon{% else %}Still here whenever you are ready{% endif %}",
      preheader: "A last note from us.",
      blocks: [
        greeting("en"),
        when(
          "discount_code != blank",
          [
            paragraph(
              "Just a quick reminder: your personal code {{ discount_code }} expires soon. Don't let it go to waste!",
            ),
          ],
          [paragraph("We are still here whenever you are ready. Our bestsellers are a good place to start.")],
        ),
        productList("bestsellers", "Customer favourites"),
        button("Visit the shop", "shop.url"),
        signOff("en"),
      ],
      sms: "{% if discount_code != blank %}your code {{ discount_code }} expires soon.{% else %}we are here when you are ready.{% endif %} {{ shop.url }}",
    },
    cs: {
      subject:
        "{% if discount_code != blank %}Váš slevový kód brzy vyprší{% else %}Jsme tu, až budete chtít{% endif %}",
      preheader: "Ještě krátká připomínka od nás.",
      blocks: [
        greeting("cs"),
        when(
          "discount_code != blank",
          [
            paragraph(
              "jen krátce připomínáme, že váš osobní kód {{ discount_code }} brzy vyprší. Nenechte ho propadnout!",
            ),
          ],
          [
            paragraph(
              "jsme tu pro vás, kdykoli budete chtít. Dobrým začátkem jsou naše nejprodávanější kousky.",
            ),
          ],
        ),
        productList("bestsellers", "Oblíbené u zákazníků"),
        button("Navštívit obchod", "shop.url"),
        signOff("cs"),
      ],
      sms: "{% if discount_code != blank %}váš kód {{ discount_code }} brzy vyprší.{% else %}jsme tu, až budete chtít.{% endif %} {{ shop.url }}",
    },
  });
  return { newest, recommended, followUp };
}

function build(options: PresetOptionValues): FlowDefinitionInput {
  const days = integerOption(options, "discountExpiryDays");
  const followUpDays = integerOption(options, "followUpDays");
  // The reminder says the code "expires soon": it must still be valid then.
  if (followUpDays >= days)
    throw new PresetOptionError(
      "win-back",
      `followUpDays (${followUpDays}) must be shorter than discountExpiryDays (${days})`,
    );
  const messages = templates(days);
  const discount = (id: string, percentOff: number) =>
    incentiveSteps({ percentOff, days }, { id, prefix: "MISSYOU", next: "content-test" }).steps;
  return {
    trigger: {
      event: "customer.lifecycle_changed",
      delayMinutes: 0,
      filters: [{ kind: "event", property: "to", operator: "equals", value: "at_risk" }],
    },
    filters: [],
    reentry: { mode: "once_per_days", days: 90 },
    exitOnPurchase: true,
    controlPercent: 0,
    templates: {
      "newest-products": messages.newest,
      recommendations: messages.recommended,
      "follow-up": messages.followUp,
    },
    start: "high-value",
    steps: [
      {
        id: "high-value",
        type: "condition",
        condition: { kind: "profile", field: "valueBand", operator: "equals", value: "high" },
        yes: "larger-discount",
        no: "medium-value",
      },
      {
        id: "medium-value",
        type: "condition",
        condition: { kind: "profile", field: "valueBand", operator: "equals", value: "medium" },
        yes: "small-discount",
        no: "content-test",
      },
      ...discount("larger-discount", integerOption(options, "largerDiscountPercent")),
      ...discount("small-discount", integerOption(options, "smallDiscountPercent")),
      {
        id: "content-test",
        type: "split",
        variants: [
          { id: "newest-products", weight: 50, next: "send-newest-products" },
          { id: "recommendations", weight: 50, next: "send-recommendations" },
        ],
      },
      {
        id: "send-newest-products",
        type: "send",
        template: "newest-products",
        channels: fallbackChannels,
        next: "wait-follow-up",
      },
      {
        id: "send-recommendations",
        type: "send",
        template: "recommendations",
        channels: fallbackChannels,
        next: "wait-follow-up",
      },
      { id: "wait-follow-up", type: "wait", minutes: followUpDays * minutesPerDay, next: "send-follow-up" },
      { id: "send-follow-up", type: "send", template: "follow-up", channels: fallbackChannels, next: null },
    ],
  };
}

export const winBack: PresetSource = {
  id: "win-back",
  category: "win_back",
  name: { en: "Win-back", cs: "Návrat zákazníka" },
  description: {
    en: "Reaches customers who have gone quiet for longer than their own buying rhythm with new arrivals or personal picks (A/B tested) and a discount scaled to their value, because a lapsing customer is far cheaper to win back than a new one is to find.",
    cs: "Osloví zákazníky, kteří nenakoupili déle, než je u nich obvyklé, novinkami nebo osobním výběrem (A/B test) a slevou podle jejich hodnoty, protože získat zpět odcházejícího zákazníka je mnohem levnější než najít nového.",
  },
  options: [
    {
      key: "smallDiscountPercent",
      kind: "integer",
      unit: "percent",
      min: 5,
      max: 30,
      default: 10,
      label: { en: "Discount for medium-value customers", cs: "Sleva pro zákazníky se střední hodnotou" },
      help: {
        en: "Percent off for customers in the medium value band; low-value customers get no discount.",
        cs: "Sleva v procentech pro zákazníky se střední hodnotou; zákazníci s nízkou hodnotou slevu nedostanou.",
      },
    },
    {
      key: "largerDiscountPercent",
      kind: "integer",
      unit: "percent",
      min: 5,
      max: 50,
      default: 20,
      label: { en: "Discount for high-value customers", cs: "Sleva pro nejhodnotnější zákazníky" },
      help: {
        en: "Percent off for customers in the high value band.",
        cs: "Sleva v procentech pro zákazníky s vysokou hodnotou.",
      },
    },
    {
      key: "discountExpiryDays",
      kind: "integer",
      unit: "days",
      min: 3,
      max: 60,
      default: 14,
      label: { en: "Code valid for", cs: "Platnost kódu" },
      help: { en: "Days the code can be used.", cs: "Počet dní, po které lze kód použít." },
    },
    {
      key: "followUpDays",
      kind: "integer",
      unit: "days",
      min: 2,
      max: 30,
      default: 7,
      label: { en: "Reminder after", cs: "Připomínka po" },
      help: {
        en: "Days between the first message and the reminder.",
        cs: "Počet dní mezi první zprávou a připomínkou.",
      },
    },
  ],
  build,
};
