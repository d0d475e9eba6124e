import { defineMessages } from "../catalogue";

// The Settings page. Keys "error.*" are the domain's English validation messages and their
// translations (app/i18n/errors.ts).
export const settingsMessages = defineMessages({
  en: {
    title: "Settings",
    analytics: "Analytics",
    analyticsHelp:
      "How retention and customer lifetime value are computed. Changing the activity window recomputes every customer's figures.",
    activityWindowDays: "Activity window (days)",
    activityWindowDaysHelp: "A customer counts as active with an order in this many days before.",
    expectedLifespanYears: "Expected customer lifespan (years)",
    expectedLifespanYearsHelp: "Used for the predicted customer lifetime value.",
    profitMarginPercent: "Profit margin (%)",
    profitMarginPercentHelp: "The share of revenue you keep after the cost of goods.",
    save: "Save",
    saved: "Analytics settings saved",
    savedRebuilding:
      "Analytics settings saved. Every customer's figures are being recomputed with the new activity window; the reports follow within minutes.",
    notSaved: "Nothing was saved: please correct the fields marked below",
    otherSettings: "More settings",
    loyaltySettings: "Loyalty program settings",
    loyaltySettingsHelp: "Earning, rewards, VIP tiers, cashback and expiry of points.",
    messagingSettings: "Messaging settings",
    messagingSettingsHelp: "Sender, quiet hours, frequency cap, channel order and WhatsApp prices.",
    "error.invalid": "This value is not valid",
    "error.wholeNumber": "must be a whole number",
    "error.twoDecimals": "must be a number with at most two decimals",
    "error.atLeast": "must be at least {min}",
    "error.atMost": "must be at most {max}",
  },
  cs: {
    title: "Nastavení",
    analytics: "Analytika",
    analyticsHelp:
      "Jak se počítá udržení zákazníků a jejich celoživotní hodnota. Změna období aktivity přepočítá údaje všech zákazníků.",
    activityWindowDays: "Období aktivity (dny)",
    activityWindowDaysHelp: "Zákazník je aktivní, pokud nakoupil během tolika posledních dní.",
    expectedLifespanYears: "Očekávaná doba zákazníka u vás (roky)",
    expectedLifespanYearsHelp: "Používá se pro odhad celoživotní hodnoty zákazníka.",
    profitMarginPercent: "Marže (%)",
    profitMarginPercentHelp: "Podíl tržeb, který vám zůstane po odečtení nákladů na zboží.",
    save: "Uložit",
    saved: "Nastavení analytiky je uložené",
    savedRebuilding:
      "Nastavení analytiky je uložené. Údaje všech zákazníků se přepočítávají podle nového období aktivity; přehledy se aktualizují během několika minut.",
    notSaved: "Nic se neuložilo: opravte prosím označená pole",
    otherSettings: "Další nastavení",
    loyaltySettings: "Nastavení věrnostního programu",
    loyaltySettingsHelp: "Získávání bodů, odměny, VIP úrovně, cashback a platnost bodů.",
    messagingSettings: "Nastavení zpráv",
    messagingSettingsHelp: "Odesílatel, klidové hodiny, limit zpráv, pořadí kanálů a ceny WhatsAppu.",
    "error.invalid": "Tato hodnota není platná",
    "error.wholeNumber": "musí být celé číslo",
    "error.twoDecimals": "musí být číslo s nejvýše dvěma desetinnými místy",
    "error.atLeast": "musí být alespoň {min}",
    "error.atMost": "může být nejvýše {max}",
  },
});
