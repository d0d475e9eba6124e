// R-POST (delivery and NPS): when the order is fulfilled, a delivery update (transactional: no
// offers in it); a few days later, at a friendly hour, the NPS question — 0 to 10, each score a
// signed one-click link, then an optional comment page. Answers are stored per customer and order
// by the engine and feed analytics and the rescue preset (0–6).
import {
  button,
  emphasised,
  greeting,
  lineItems,
  npsScale,
  paragraph,
  presetMessage,
  signOff,
  when,
} from "./messages";
import {
  integerOption,
  minutesPerDay,
  type FlowDefinitionInput,
  type PresetOptionValues,
  type PresetSource,
} from "./preset";

const statusOrShop = "order.status_url | default: shop.url";
const orderName = "{% if order.name != blank %} {{ order.name }}{% endif %}";

const deliveryUpdate = presetMessage({
  purpose: "transactional",
  whatsapp: {
    templateName: "order_shipped",
    parameters: ["{{ shop.name }}", "{{ order.name | default: shop.name }}", `{{ ${statusOrShop} }}`],
  },
  en: {
    subject: `Your order${orderName} is on its way`,
    preheader: "Good news: it has shipped.",
    blocks: [
      greeting("en"),
      paragraph(`Good news: your order${orderName} has shipped and is on its way to you.`),
      when("items.size > 0", [lineItems("en")]),
      when("order.status_url != blank", [
        paragraph("You can follow your package and see the delivery details here:"),
        button("Track your order", "order.status_url"),
      ]),
      paragraph(
        "If anything is not right when it arrives, just reply to this e-mail and we will sort it out.",
      ),
      signOff("en"),
    ],
    sms: `your order${orderName} has shipped! Track it here: {{ ${statusOrShop} }}`,
  },
  cs: {
    subject: `Vaše objednávka${orderName} je na cestě`,
    preheader: "Máme dobrou zprávu: zásilku jsme odeslali.",
    blocks: [
      greeting("cs"),
      paragraph(`máme dobrou zprávu: vaši objednávku${orderName} jsme odeslali a už je na cestě k vám.`),
      when("items.size > 0", [lineItems("cs")]),
      when("order.status_url != blank", [
        paragraph("Zásilku i podrobnosti o doručení můžete sledovat tady:"),
        button("Sledovat zásilku", "order.status_url"),
      ]),
      paragraph("Kdyby po doručení něco nebylo v pořádku, stačí odpovědět na tento e-mail a vše vyřešíme."),
      signOff("cs"),
    ],
    sms: `vaši objednávku${orderName} jsme odeslali! Sledujte ji zde: {{ ${statusOrShop} }}`,
  },
});

const npsOrShop = "nps.question_url | default: shop.url";

const npsQuestion = presetMessage({
  purpose: "marketing",
  whatsapp: { templateName: "nps_question", parameters: ["{{ shop.name }}", `{{ ${npsOrShop} }}`] },
  en: {
    subject: "How likely are you to recommend {{ shop.name }}?",
    preheader: "One quick question, one click to answer.",
    blocks: [
      greeting("en"),
      paragraph(
        `We hope you are enjoying your order${orderName}. We have one quick question, and answering takes a single click:`,
      ),
      emphasised("How likely are you to recommend {{ shop.name }} to a friend?"),
      npsScale(
        "en",
        "Just reply to this e-mail with a number from 0 to 10 and, if you like, a few words about why.",
      ),
      paragraph("Thank you! We read every answer, and each one helps us get better."),
      signOff("en"),
    ],
    sms: `how likely are you to recommend us, from 0 to 10? Answer in one tap: {{ ${npsOrShop} }}`,
  },
  cs: {
    subject: "Doporučili byste obchod {{ shop.name }} svým známým?",
    preheader: "Jedna rychlá otázka, odpověď na jedno kliknutí.",
    blocks: [
      greeting("cs"),
      paragraph(
        `doufáme, že vám objednávka${orderName} dělá radost. Máme jen jednu rychlou otázku a odpověď vám zabere jediné kliknutí:`,
      ),
      emphasised("Jak pravděpodobné je, že byste obchod {{ shop.name }} doporučili svým známým?"),
      npsScale("cs", "Stačí odpovědět na tento e-mail číslem od 0 do 10 a klidně připsat pár slov proč."),
      paragraph("Děkujeme! Čteme každou odpověď a každá nám pomáhá se zlepšovat."),
      signOff("cs"),
    ],
    sms: `doporučili byste nás známým? Ohodnoťte nás 0–10 jedním klepnutím: {{ ${npsOrShop} }}`,
  },
});

function build(options: PresetOptionValues): FlowDefinitionInput {
  return {
    trigger: { event: "order.fulfilled", delayMinutes: 0, filters: [] },
    filters: [],
    reentry: { mode: "every_time" },
    exitOnPurchase: false,
    controlPercent: 0,
    templates: { "delivery-update": deliveryUpdate, "nps-question": npsQuestion },
    start: "delivery-update",
    steps: [
      {
        id: "delivery-update",
        type: "send",
        template: "delivery-update",
        purpose: "transactional",
        next: "wait-for-delivery",
      },
      {
        id: "wait-for-delivery",
        type: "wait",
        minutes: integerOption(options, "npsDelayDays") * minutesPerDay,
        next: "wait-for-morning",
      },
      {
        id: "wait-for-morning",
        type: "wait",
        until: { time: "10:00", zone: "recipient" },
        next: "nps-question",
      },
      { id: "nps-question", type: "send", template: "nps-question", next: null },
    ],
  };
}

export const deliveryAndNps: PresetSource = {
  id: "delivery-and-nps",
  category: "post_purchase",
  name: { en: "Delivery update and NPS", cs: "Doručení a hodnocení NPS" },
  description: {
    en: "Tells the customer their order has shipped and, a few days after delivery, asks how likely they are to recommend the shop with one-click 0–10 answers, because knowing who is unhappy lets you fix it before they leave.",
    cs: "Oznámí zákazníkovi odeslání objednávky a pár dní po doručení se zeptá, jak pravděpodobně by obchod doporučil, s odpovědí 0–10 na jedno kliknutí, protože když víte, kdo je nespokojený, můžete to napravit dřív, než odejde.",
  },
  options: [
    {
      key: "npsDelayDays",
      kind: "integer",
      unit: "days",
      min: 2,
      max: 21,
      default: 5,
      label: { en: "Ask for a rating after", cs: "Zeptat se na hodnocení po" },
      help: {
        en: "Days after the order is fulfilled (it then waits for 10:00 in the customer's time zone).",
        cs: "Počet dní po vyřízení objednávky (poté počká do 10:00 v časovém pásmu zákazníka).",
      },
    },
  ],
  build,
};
