// R-OCCASION: the customer's birthday (date from the profile or the widget, announced on the day
// in their time zone) and the anniversary of their first purchase, each sent at 10:00 in the
// customer's time zone, each with an optional gift code. Once a year at most (re-entry 300 days).
import {
  button,
  countOf,
  greeting,
  incentiveCode,
  paragraph,
  presetMessage,
  productList,
  signOff,
  type Locale,
  type PresetMessage,
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
import type { TriggerEvent } from "../definition";
import type { MessageTemplate } from "../../messaging/compose";

const giftLead: Record<Locale, string> = { en: "Our gift to you:", cs: "Náš dárek pro vás:" };

function occasionFlow(
  event: TriggerEvent,
  template: (incentive: Incentive | null) => MessageTemplate,
  prefix: string,
): (options: PresetOptionValues) => FlowDefinitionInput {
  return (options) => {
    const incentive = incentiveOf(options);
    const gift = incentiveSteps(incentive, { id: "gift", prefix, next: "message" });
    return {
      trigger: { event, delayMinutes: 0, filters: [] },
      filters: [],
      reentry: { mode: "once_per_days", days: 300 },
      exitOnPurchase: false,
      controlPercent: 0,
      templates: { message: template(incentive) },
      start: "wait-for-morning",
      steps: [
        {
          id: "wait-for-morning",
          type: "wait",
          until: { time: "10:00", zone: "recipient" },
          next: gift.entry,
        },
        ...gift.steps,
        { id: "message", type: "send", template: "message", next: null },
      ],
    };
  };
}

function birthdayMessage(incentive: Incentive | null): MessageTemplate {
  const message: PresetMessage = {
    purpose: "marketing",
    whatsapp: {
      templateName: incentive ? "birthday_gift" : "birthday_wishes",
      parameters: ["{{ shop.name }}", incentive ? "{{ discount_code }}" : "{{ shop.url }}"],
    },
    en: {
      subject: "Happy birthday{% if customer.first_name != blank %}, {{ customer.first_name }}{% endif %}!",
      preheader: incentive ? "A little gift from us is inside." : "Warm wishes from all of us.",
      blocks: [
        greeting("en"),
        paragraph("Everyone at {{ shop.name }} wishes you a very happy birthday and a wonderful year ahead!"),
        ...incentiveCode("en", incentive, giftLead.en),
        button(incentive ? "Treat yourself" : "Visit the shop", "shop.url"),
        signOff("en"),
      ],
      sms: incentive
        ? "happy birthday! Our gift: code {{ discount_code }} for a discount on your next order. {{ shop.url }}"
        : "happy birthday and a wonderful year ahead! {{ shop.url }}",
    },
    cs: {
      subject: "Všechno nejlepší k narozeninám!",
      preheader: incentive ? "Uvnitř na vás čeká malý dárek." : "Srdečné přání od nás všech.",
      blocks: [
        greeting("cs"),
        paragraph(
          "celý tým obchodu {{ shop.name }} vám přeje všechno nejlepší k narozeninám a krásný rok plný radosti!",
        ),
        ...incentiveCode("cs", incentive, giftLead.cs),
        button(incentive ? "Udělejte si radost" : "Navštívit obchod", "shop.url"),
        signOff("cs"),
      ],
      sms: incentive
        ? "všechno nejlepší k narozeninám! Dárek: kód {{ discount_code }} na slevu z dalšího nákupu. {{ shop.url }}"
        : "všechno nejlepší k narozeninám a krásný rok! {{ shop.url }}",
    },
  };
  return presetMessage(message);
}

const years = { en: ["year", "years"], cs: ["rok", "roky", "let"] } as const;

function anniversaryMessage(incentive: Incentive | null): MessageTemplate {
  return presetMessage({
    purpose: "marketing",
    whatsapp: {
      templateName: incentive ? "anniversary_gift" : "anniversary_thanks",
      parameters: ["{{ shop.name }}", incentive ? "{{ discount_code }}" : "{{ shop.url }}"],
    },
    en: {
      subject:
        "{% if event.years > 0 %}" +
        countOf("en", "event.years", years) +
        " together, thank you!{% else %}Thank you for shopping with us{% endif %}",
      preheader: "It all started with your first order.",
      blocks: [
        greeting("en"),
        paragraph(
          `{% if event.years > 0 %}It has been ${countOf("en", "event.years", years)} since your first order at {{ shop.name }}.{% else %}Today is the anniversary of your first order at {{ shop.name }}.{% endif %} Thank you for staying with us; customers like you are the reason we love what we do.`,
        ),
        ...incentiveCode("en", incentive, giftLead.en),
        productList("recommendations", "Picked for you"),
        button("Visit the shop", "shop.url"),
        signOff("en"),
      ],
      sms: incentive
        ? "thank you for another year with us! Our gift: code {{ discount_code }} for a discount. {{ shop.url }}"
        : "thank you for another year with us! {{ shop.url }}",
    },
    cs: {
      subject:
        "{% if event.years > 0 %}Jsme spolu už " +
        countOf("cs", "event.years", years) +
        ", děkujeme!{% else %}Děkujeme, že u nás nakupujete{% endif %}",
      preheader: "Všechno začalo vaší první objednávkou.",
      blocks: [
        greeting("cs"),
        paragraph(
          `{% if event.years > 0 %}od vaší první objednávky v obchodě {{ shop.name }} uplynul{% if event.years == 1 %}{% elsif event.years < 5 %}y{% else %}o{% endif %} už ${countOf("cs", "event.years", years)}.{% else %}dnes je to přesně rok od vaší první objednávky v obchodě {{ shop.name }}.{% endif %} Děkujeme, že jste s námi. Díky zákazníkům, jako jste vy, nás naše práce tolik baví.`,
        ),
        ...incentiveCode("cs", incentive, giftLead.cs),
        productList("recommendations", "Vybrali jsme pro vás"),
        button("Navštívit obchod", "shop.url"),
        signOff("cs"),
      ],
      sms: incentive
        ? "děkujeme za další rok s námi! Dárek: kód {{ discount_code }} na slevu. {{ shop.url }}"
        : "děkujeme za další rok s námi! {{ shop.url }}",
    },
  });
}

export const birthday: PresetSource = {
  id: "birthday",
  category: "occasion",
  name: { en: "Birthday", cs: "Narozeniny" },
  description: {
    en: "Wishes the customer a happy birthday at 10:00 in their time zone, with an optional gift code, because a personal greeting on their day is remembered long after the discount.",
    cs: "Popřeje zákazníkovi v 10:00 jeho času všechno nejlepší k narozeninám, volitelně s dárkovým kódem, protože osobní přání v jeho den si zapamatuje ještě dlouho po slevě.",
  },
  options: incentiveOptions({ on: true, percent: 15, days: 14 }),
  build: occasionFlow("customer.birthday", birthdayMessage, "BIRTHDAY"),
};

export const purchaseAnniversary: PresetSource = {
  id: "purchase-anniversary",
  category: "occasion",
  name: { en: "First-purchase anniversary", cs: "Výročí prvního nákupu" },
  description: {
    en: "Thanks the customer on the anniversary of their first order at 10:00 in their time zone, with an optional gift code, because celebrating the relationship reminds them why they chose you.",
    cs: "Poděkuje zákazníkovi v den výročí jeho první objednávky v 10:00 jeho času, volitelně s dárkovým kódem, protože oslava společné historie mu připomene, proč si vybral právě vás.",
  },
  options: incentiveOptions({ on: false, percent: 10, days: 14 }),
  build: occasionFlow("customer.purchase_anniversary", anniversaryMessage, "THANKYOU"),
};
