import { defineMessages } from "../catalogue";

export const navigationMessages = defineMessages({
  en: {
    home: "Home",
    flows: "Flows",
    loyalty: "Loyalty",
    customers: "Customers",
    messaging: "Messaging",
    analytics: "Analytics",
    settings: "Settings",
    demoShop: "Demo shop: {shop}",
    demoLocalOnly: "Local data only — no Shopify account is involved.",
    language: "Language",
  },
  cs: {
    home: "Přehled",
    flows: "Automatizace",
    loyalty: "Věrnostní program",
    customers: "Zákazníci",
    messaging: "Zprávy",
    analytics: "Analytika",
    settings: "Nastavení",
    demoShop: "Ukázkový obchod: {shop}",
    demoLocalOnly: "Jen místní data — žádný účet Shopify se nepoužívá.",
    language: "Jazyk",
  },
});
