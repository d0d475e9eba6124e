import { describe, expect, it } from "vitest";
import { defineMessages, fill, messagesFor } from "../../app/i18n/catalogue";
import { adminLocaleOf, resolveAdminLocale } from "../../app/i18n/locale";
import { navigationMessages } from "../../app/i18n/messages/navigation";

describe("admin language", () => {
  it("takes Shopify's locale parameter first, then the staff member's, then the shop's", () => {
    const url = "https://stayloop.example/app";
    expect(resolveAdminLocale({ url: `${url}?locale=cs-CZ`, staffLocale: "en", shopLocale: "en" })).toBe(
      "cs",
    );
    expect(resolveAdminLocale({ url, staffLocale: "cs", shopLocale: "en" })).toBe("cs");
    expect(resolveAdminLocale({ url, staffLocale: null, shopLocale: "cs" })).toBe("cs");
    expect(resolveAdminLocale({ url: `${url}?locale=de`, shopLocale: "cs" })).toBe("en");
    expect(resolveAdminLocale({ url })).toBe("en");
    expect(adminLocaleOf(" CS ")).toBe("cs");
    expect(adminLocaleOf("sk")).toBe("en");
  });

  it("fills placeholders and leaves an unknown one visible", () => {
    expect(fill("Demo shop: {shop}", { shop: "a.myshopify.com" })).toBe("Demo shop: a.myshopify.com");
    expect(fill("{count} of {total}", { count: 3 })).toBe("3 of {total}");
  });

  it("has every navigation word in both languages, and Czech ones that differ from English", () => {
    const en = messagesFor(navigationMessages, "en");
    const cs = messagesFor(navigationMessages, "cs");
    expect(Object.keys(cs).sort()).toEqual(Object.keys(en).sort());
    expect(cs.customers).toBe("Zákazníci");
    const catalogue = defineMessages({ en: { a: "A" }, cs: { a: "Á" } });
    expect(messagesFor(catalogue, "cs").a).toBe("Á");
  });
});
