// Every admin message catalogue (R-ADM-7) has the same keys in English and Czech, no empty text,
// the same {placeholders} in both languages, and Czech that is not just the English copied over.
import { describe, expect, it } from "vitest";
import type { Catalogue } from "../../app/i18n/catalogue";
import { localizeError } from "../../app/i18n/errors";
import { analyticsMessages } from "../../app/i18n/messages/analytics";
import { customersMessages } from "../../app/i18n/messages/customers";
import { flowsMessages, profileFieldMessages, triggerMessages } from "../../app/i18n/messages/flows";
import { homeMessages } from "../../app/i18n/messages/home";
import { loyaltyMessages } from "../../app/i18n/messages/loyalty";
import { messagingMessages } from "../../app/i18n/messages/messaging";
import { navigationMessages } from "../../app/i18n/messages/navigation";
import { settingsMessages } from "../../app/i18n/messages/settings";

const catalogues: Record<string, Catalogue<string>> = {
  analytics: analyticsMessages,
  customers: customersMessages,
  flows: flowsMessages,
  flowProfileFields: profileFieldMessages,
  flowTriggers: triggerMessages,
  home: homeMessages,
  loyalty: loyaltyMessages,
  messaging: messagingMessages,
  navigation: navigationMessages,
  settings: settingsMessages,
};

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe("admin message catalogues", () => {
  for (const [area, catalogue] of Object.entries(catalogues)) {
    it(`${area}: the same keys in en and cs, none empty, the same placeholders`, () => {
      expect(Object.keys(catalogue.cs).sort()).toEqual(Object.keys(catalogue.en).sort());
      for (const locale of ["en", "cs"] as const) {
        for (const [key, text] of Object.entries(catalogue[locale])) {
          expect(text.trim(), `${area}.${locale}.${key}`).not.toBe("");
        }
      }
      for (const key of Object.keys(catalogue.en)) {
        expect(placeholders(catalogue.cs[key] ?? ""), `${area}.cs.${key}`).toEqual(
          placeholders(catalogue.en[key] ?? ""),
        );
      }
      const translated = Object.keys(catalogue.en).filter((key) => catalogue.cs[key] !== catalogue.en[key]);
      expect(translated.length / Object.keys(catalogue.en).length).toBeGreaterThan(0.7);
    });
  }

  it("shows the domain's validation messages in Czech, with their varying parts, and never English", () => {
    expect(localizeError("must be at least 30", settingsMessages, "cs")).toBe("musí být alespoň 30");
    expect(localizeError("must be higher than Silver's threshold", loyaltyMessages, "cs")).toBe(
      "musí být vyšší než práh úrovně Silver",
    );
    expect(
      localizeError(
        "Rate row 2: the price must be an amount such as 0.0125; +44 has no marketing price",
        messagingMessages,
        "cs",
      ),
    ).toBe("Řádek ceníku 2: cena musí být částka, např. 0,0125; +44 nemá cenu pro kategorii Marketing");
    expect(localizeError("something nobody wrote down", loyaltyMessages, "cs")).toBe(
      "Tato hodnota není platná",
    );
    expect(localizeError("must be at least 30", settingsMessages, "en")).toBe("must be at least 30");
  });
});
