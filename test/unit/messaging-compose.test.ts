// Composing a flow step's message from its language versions (R-MSG-5): the customer's language,
// the shop's default otherwise, every part rendered, HTML escaped only in the HTML part, and every
// problem reported with where it is and on which line.
import { describe, expect, it } from "vitest";
import { composeMessage, validateMessageTemplate, type MessageTemplate } from "../../app/messaging/compose";
import { sampleVariables } from "../../app/messaging/templates";

const template: MessageTemplate = {
  versions: {
    en: {
      email: {
        subject: "{{ customer.first_name }}, your cart is waiting",
        html: "<p>Hi {{ customer.first_name }}</p>{% for item in items %}<p>{{ item.title }} {{ item.price }}</p>{% endfor %}",
        text: "Hi {{ customer.first_name }}, {{ checkout_url }}",
      },
      sms: { body: "{{ shop.name }}: your cart {{ checkout_url }}" },
      whatsapp: {
        templateName: "cart_reminder",
        language: "en",
        category: "marketing",
        parameters: ["{{ customer.first_name }}", "{{ discount_code }}"],
      },
    },
    cs: {
      email: {
        subject: "{{ customer.first_name }}, košík na vás čeká",
        html: "<p>Ahoj {{ customer.first_name }}</p>",
        text: "Ahoj",
      },
    },
  },
};

describe("composing a message", () => {
  it("uses the customer's language version and renders every part", async () => {
    const czech = {
      ...sampleVariables("cs"),
      customer: { ...sampleVariables("cs").customer, first_name: "Jana", locale: "cs-CZ" },
    };
    const content = await composeMessage(template, czech, "en");
    expect(content.email?.subject).toBe("Jana, košík na vás čeká");
    expect(content.sms).toBeUndefined();

    const english = {
      ...sampleVariables("en"),
      customer: { ...sampleVariables("en").customer, first_name: "<b>Ada</b>", locale: "de-DE" },
    };
    const fallback = await composeMessage(template, english, "en");
    expect(fallback.email?.subject).toBe("<b>Ada</b>, your cart is waiting");
    expect(fallback.email?.html).toContain("<p>Hi &lt;b&gt;Ada&lt;/b&gt;</p>");
    expect(fallback.email?.html).toContain(english.items[0]?.price ?? "missing");
    expect(fallback.email?.text).toBe(`Hi <b>Ada</b>, ${english.checkout_url}`);
    expect(fallback.sms?.body).toBe(`${english.shop.name}: your cart ${english.checkout_url}`);
    expect(fallback.whatsapp).toEqual({
      template: { name: "cart_reminder", language: "en", parameters: ["<b>Ada</b>", english.discount_code] },
      category: "marketing",
    });
  });

  it("reports every problem with its place and line, and a good template has none", () => {
    expect(validateMessageTemplate(template)).toEqual([]);
    const broken = {
      versions: {
        en: { sms: { body: "ok" } },
        cs: { email: { subject: "Ahoj", html: "<p>\n{% if x %}\nAhoj", text: "{{ a | nope }}" } },
      },
    };
    const problems = validateMessageTemplate(broken);
    expect(problems).toEqual([
      expect.objectContaining({ field: "cs · e-mail HTML", line: 2 }),
      expect.objectContaining({ field: "cs · e-mail text", line: 1 }),
    ]);
    expect(problems[0]?.message).toMatch(/^Line 2: /);
    expect(validateMessageTemplate({ versions: {} })).toEqual([
      expect.objectContaining({ message: "needs at least one language" }),
    ]);
    expect(validateMessageTemplate({ versions: { de: { sms: { body: "Hallo" } } } })).not.toEqual([]);
  });
});
