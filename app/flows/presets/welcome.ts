// R-WELCOME: a welcome as soon as someone becomes a customer (or subscribes), introducing the
// shop's channels and the loyalty programme with the points they got for signing up; a few days
// later, buyers hear about their membership, everyone else gets inspiration — an A/B test of
// what they looked at recently against the bestsellers of their favourite category.
import {
  button,
  countOf,
  greeting,
  paragraph,
  pointForms,
  presetMessage,
  productList,
  signOff,
  when,
  type Locale,
} from "./messages";
import {
  booleanOption,
  integerOption,
  minutesPerDay,
  type FlowDefinitionInput,
  type PresetOptionValues,
  type PresetSource,
} from "./preset";

const loyaltyIntro: Record<Locale, string> = {
  en:
    "You are also a member of our loyalty programme{% if loyalty.program_name != blank %} {{ loyalty.program_name }}{% endif %}" +
    `{% if loyalty.signup_points > 0 %}, and we have added ${countOf("en", "loyalty.signup_points", pointForms)} to your account as a thank-you for signing up{% endif %}. ` +
    "You earn points with every order and can swap them for rewards.",
  cs:
    "Zároveň vás vítáme v našem věrnostním programu{% if loyalty.program_name != blank %} {{ loyalty.program_name }}{% endif %}" +
    `{% if loyalty.signup_points > 0 %}: jako poděkování za registraci jsme vám připsali ${countOf("cs", "loyalty.signup_points", pointForms)}{% endif %}. ` +
    "Body sbíráte s každou objednávkou a můžete je vyměnit za odměny.",
};

const welcomeMessage = presetMessage({
  purpose: "marketing",
  whatsapp: { templateName: "welcome_new_customer", parameters: ["{{ shop.name }}", "{{ shop.url }}"] },
  en: {
    subject: "Welcome to {{ shop.name }}",
    preheader: "Thank you for joining us. Here is what to expect.",
    blocks: [
      greeting("en"),
      paragraph("Thank you for joining {{ shop.name }}. We are really glad to have you with us."),
      when("loyalty.enabled", [paragraph(loyaltyIntro.en)]),
      paragraph(
        "We will write to you only when it is worth your time: new arrivals, practical tips and offers for our customers. Prefer your phone? You can get order updates and offers by text message too; just tick the box at checkout.",
      ),
      button("Start shopping", "shop.url"),
      signOff("en"),
    ],
    sms: "welcome and thank you for joining us! Have a look around: {{ shop.url }}",
  },
  cs: {
    subject: "Vítejte v obchodě {{ shop.name }}",
    preheader: "Děkujeme, že jste s námi. Tady je, co vás čeká.",
    blocks: [
      greeting("cs"),
      paragraph("děkujeme, že jste se přidali k obchodu {{ shop.name }}. Moc nás těší, že jste s námi."),
      when("loyalty.enabled", [paragraph(loyaltyIntro.cs)]),
      paragraph(
        "Psát vám budeme jen tehdy, když to bude stát za to: novinky, praktické tipy a nabídky pro naše zákazníky. Máte raději telefon? Informace o objednávkách i nabídky můžete dostávat také SMS, stačí to zaškrtnout v pokladně.",
      ),
      button("Začít nakupovat", "shop.url"),
      signOff("cs"),
    ],
    sms: "vítejte a děkujeme, že jste s námi! Podívejte se, co nabízíme: {{ shop.url }}",
  },
});

const memberMessage = presetMessage({
  purpose: "marketing",
  whatsapp: {
    templateName: "welcome_member_benefits",
    parameters: ["{{ shop.name }}", "{{ points.balance }}", "{{ shop.url }}"],
  },
  en: {
    subject: "Thanks for shopping with us",
    preheader: "A few ways to get even more from {{ shop.name }}.",
    blocks: [
      greeting("en"),
      paragraph(
        "Thank you for your order! We hope you love it. Here are a few ways to get even more from {{ shop.name }}.",
      ),
      when("loyalty.enabled", [
        paragraph(
          `You have ${countOf("en", "points.balance", pointForms)} in your account{% if points.pending > 0 %}, and ${countOf("en", "points.pending", pointForms)} more are on the way{% endif %}. Keep collecting and swap them for rewards whenever you like.`,
        ),
      ]),
      productList("recommendations", "Picked for you"),
      button("Visit the shop", "shop.url"),
      signOff("en"),
    ],
    sms: "thanks for your order!{% if loyalty.enabled %} You have {{ points.balance }} points to spend on rewards.{% endif %} {{ shop.url }}",
  },
  cs: {
    subject: "Děkujeme, že u nás nakupujete",
    preheader: "Jak z obchodu {{ shop.name }} získat ještě víc.",
    blocks: [
      greeting("cs"),
      paragraph(
        "děkujeme za vaši objednávku, doufáme, že vám udělá radost. Tady je pár tipů, jak z obchodu {{ shop.name }} získat ještě víc.",
      ),
      when("loyalty.enabled", [
        paragraph(
          `Na účtu máte ${countOf("cs", "points.balance", pointForms)}{% if points.pending > 0 %} a dalších ${countOf("cs", "points.pending", pointForms)} je na cestě{% endif %}. Sbírejte dál a vyměňte je za odměny, kdykoli budete chtít.`,
        ),
      ]),
      productList("recommendations", "Vybrali jsme pro vás"),
      button("Navštívit obchod", "shop.url"),
      signOff("cs"),
    ],
    sms: "děkujeme za objednávku!{% if loyalty.enabled %} Body na odměny: {{ points.balance }}.{% endif %} Více na {{ shop.url }}",
  },
});

const recentlyViewedMessage = presetMessage({
  purpose: "marketing",
  whatsapp: { templateName: "welcome_recently_viewed", parameters: ["{{ shop.name }}", "{{ shop.url }}"] },
  en: {
    subject: "Still thinking it over?",
    preheader: "The things you looked at are still here.",
    blocks: [
      greeting("en"),
      when(
        "recently_viewed.size > 0",
        [
          paragraph(
            "Still thinking about the things you looked at? Here they are again, in case you want another look.",
          ),
          productList("recently_viewed", "Recently viewed"),
        ],
        [
          paragraph("Not sure where to start? These are the products our customers love most."),
          productList("bestsellers", "Bestsellers"),
        ],
      ),
      button("Continue shopping", "shop.url"),
      signOff("en"),
    ],
    sms: "still thinking it over? The things you looked at are waiting: {{ shop.url }}",
  },
  cs: {
    subject: "Ještě se rozmýšlíte?",
    preheader: "Zboží, které jste si prohlíželi, tu na vás čeká.",
    blocks: [
      greeting("cs"),
      when(
        "recently_viewed.size > 0",
        [
          paragraph(
            "ještě se rozmýšlíte nad zbožím, které jste si prohlíželi? Tady ho máte znovu pěkně pohromadě.",
          ),
          productList("recently_viewed", "Naposledy jste si prohlíželi"),
        ],
        [
          paragraph("nevíte, kde začít? Tohle mají naši zákazníci nejraději."),
          productList("bestsellers", "Nejprodávanější"),
        ],
      ),
      button("Pokračovat v nákupu", "shop.url"),
      signOff("cs"),
    ],
    sms: "ještě se rozmýšlíte? Zboží, které jste si prohlíželi, na vás čeká: {{ shop.url }}",
  },
});

const bestsellersMessage = presetMessage({
  purpose: "marketing",
  whatsapp: { templateName: "welcome_bestsellers", parameters: ["{{ shop.name }}", "{{ shop.url }}"] },
  en: {
    subject: "Our customers' favourites",
    preheader: "A good place to start.",
    blocks: [
      greeting("en"),
      paragraph(
        "Not sure where to start? These are the products our customers come back for again and again.",
      ),
      productList("bestsellers", "Bestsellers"),
      button("Shop the bestsellers", "shop.url"),
      signOff("en"),
    ],
    sms: "not sure where to start? See what our customers love most: {{ shop.url }}",
  },
  cs: {
    subject: "To nejoblíbenější od nás",
    preheader: "Dobré místo, kde začít.",
    blocks: [
      greeting("cs"),
      paragraph("nevíte, kde začít? Tohle je zboží, pro které se k nám zákazníci vracejí znovu a znovu."),
      productList("bestsellers", "Nejprodávanější"),
      button("Prohlédnout bestsellery", "shop.url"),
      signOff("cs"),
    ],
    sms: "nevíte, kde začít? Podívejte se, co mají zákazníci nejraději: {{ shop.url }}",
  },
});

function build(options: PresetOptionValues): FlowDefinitionInput {
  const onSubscribe = booleanOption(options, "startOnSubscribe");
  return {
    trigger: onSubscribe
      ? {
          event: "customer.consent_changed",
          delayMinutes: 0,
          filters: [{ kind: "event", property: "to", operator: "equals", value: "subscribed" }],
        }
      : { event: "customer.created", delayMinutes: 0, filters: [] },
    filters: [],
    reentry: { mode: "once" },
    exitOnPurchase: false,
    controlPercent: 0,
    templates: {
      welcome: welcomeMessage,
      "member-benefits": memberMessage,
      "recently-viewed": recentlyViewedMessage,
      bestsellers: bestsellersMessage,
    },
    start: "welcome",
    steps: [
      { id: "welcome", type: "send", template: "welcome", next: "wait-follow-up" },
      {
        id: "wait-follow-up",
        type: "wait",
        minutes: integerOption(options, "followUpDays") * minutesPerDay,
        next: "has-purchased",
      },
      {
        id: "has-purchased",
        type: "condition",
        condition: { kind: "profile", field: "ordersCount", operator: "at_least", value: 1 },
        yes: "member-benefits",
        no: "inspiration-test",
      },
      { id: "member-benefits", type: "send", template: "member-benefits", next: null },
      {
        id: "inspiration-test",
        type: "split",
        variants: [
          { id: "recently-viewed", weight: 50, next: "send-recently-viewed" },
          { id: "bestsellers", weight: 50, next: "send-bestsellers" },
        ],
      },
      { id: "send-recently-viewed", type: "send", template: "recently-viewed", next: null },
      { id: "send-bestsellers", type: "send", template: "bestsellers", next: null },
    ],
  };
}

export const welcome: PresetSource = {
  id: "welcome",
  category: "welcome",
  name: { en: "Welcome", cs: "Uvítání" },
  description: {
    en: "Welcomes every new customer with the loyalty points they got for signing up and, a few days later, shows buyers their benefits and everyone else an A/B test of recently viewed products against bestsellers, because the first days decide whether a sign-up becomes a customer.",
    cs: "Přivítá každého nového zákazníka i s body, které získal za registraci, a o pár dní později ukáže kupujícím jejich výhody a ostatním A/B test naposledy prohlížených produktů proti bestsellerům, protože první dny rozhodují, zda se z registrace stane zákazník.",
  },
  options: [
    {
      key: "startOnSubscribe",
      kind: "boolean",
      default: false,
      label: { en: "Start on newsletter sign-up", cs: "Spustit po přihlášení k odběru" },
      help: {
        en: "Starts when someone subscribes to e-mail or SMS marketing instead of when a customer account is created.",
        cs: "Spustí se, když se někdo přihlásí k odběru e-mailů nebo SMS, místo při založení zákaznického účtu.",
      },
    },
    {
      key: "followUpDays",
      kind: "integer",
      unit: "days",
      min: 1,
      max: 14,
      default: 3,
      label: { en: "Follow-up after", cs: "Navazující zpráva po" },
      help: {
        en: "Days between the welcome and the follow-up (benefits or inspiration).",
        cs: "Počet dní mezi uvítáním a navazující zprávou (výhody nebo inspirace).",
      },
    },
  ],
  build,
};
