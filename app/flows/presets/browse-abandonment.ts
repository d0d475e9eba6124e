// R-BROWSE: a shopper looked at a product and left without adding it to the cart. The engine
// announces browse.abandoned 30 min–24 h after the view (from the stored browse events), at most
// once per product per 7 days (re-entry is scoped per product by the event's reentryKey); the
// message shows the product and related ones, and any purchase ends the run.
import {
  button,
  featuredProduct,
  greeting,
  paragraph,
  presetMessage,
  productList,
  signOff,
  when,
} from "./messages";
import type { FlowDefinitionInput, PresetSource } from "./preset";

const productOrShop = "product.url | default: shop.url";

const browseReminder = presetMessage({
  purpose: "marketing",
  whatsapp: { templateName: "browse_reminder", parameters: ["{{ shop.name }}", `{{ ${productOrShop} }}`] },
  en: {
    subject:
      "{% if product %}Still thinking about {{ product.title }}?{% else %}Still thinking it over?{% endif %}",
    preheader: "It is still here, in case you want another look.",
    blocks: [
      greeting("en"),
      when(
        "product",
        [
          paragraph(
            "We noticed you were looking at this. It is still available, in case you want another look.",
          ),
        ],
        [
          paragraph(
            "We noticed you were looking around. Everything is still here, in case you want another look.",
          ),
        ],
      ),
      featuredProduct("View product"),
      button("Take another look", productOrShop),
      paragraph("Not sure yet? Reply to this e-mail and we will gladly help you choose."),
      productList("recommendations", "You might also like"),
      signOff("en"),
    ],
    sms: `still thinking it over? Take another look: {{ ${productOrShop} }}`,
  },
  cs: {
    subject:
      "{% if product %}{{ product.title }}: ještě se rozmýšlíte?{% else %}Ještě se rozmýšlíte?{% endif %}",
    preheader: "Pořád tu na vás čeká, kdybyste se chtěli podívat znovu.",
    blocks: [
      greeting("cs"),
      when(
        "product",
        [
          paragraph(
            "všimli jsme si, že vás zaujal tento produkt. Pořád je k dispozici, kdybyste se na něj chtěli podívat znovu.",
          ),
        ],
        [paragraph("všimli jsme si, že jste se u nás rozhlíželi. Všechno tu na vás stále čeká.")],
      ),
      featuredProduct("Zobrazit produkt"),
      button("Prohlédnout znovu", productOrShop),
      paragraph("Nejste si jistí? Odpovězte na tento e-mail a rádi vám s výběrem poradíme."),
      productList("recommendations", "Mohlo by se vám líbit"),
      signOff("cs"),
    ],
    sms: `ještě se rozmýšlíte? Podívejte se znovu: {{ ${productOrShop} }}`,
  },
});

function build(): FlowDefinitionInput {
  return {
    trigger: { event: "browse.abandoned", delayMinutes: 0, filters: [] },
    filters: [],
    reentry: { mode: "once_per_days", days: 7 },
    exitOnPurchase: true,
    controlPercent: 0,
    templates: { "browse-reminder": browseReminder },
    start: "browse-reminder",
    steps: [{ id: "browse-reminder", type: "send", template: "browse-reminder", next: null }],
  };
}

export const browseAbandonment: PresetSource = {
  id: "browse-abandonment",
  category: "browse",
  name: { en: "Browse abandonment", cs: "Opuštěné prohlížení" },
  description: {
    en: "Reminds a shopper of a product they looked at but did not add to the cart, with related products, at most once per product a week, because a gentle reminder brings back shoppers who were only distracted.",
    cs: "Připomene zákazníkovi produkt, který si prohlížel, ale nevložil do košíku, spolu s podobným zbožím, nejvýše jednou týdně pro každý produkt, protože jemná připomínka vrátí zákazníky, které jen něco vyrušilo.",
  },
  options: [],
  build,
};
