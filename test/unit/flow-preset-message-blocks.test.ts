// The flow presets' message building blocks: Czech and English counts agree with their number,
// a hidden conditional block leaves no blank lines in the text part, variables in HTML are
// escaped by the renderer, and the marketing footer and SMS opt-out are added in one place.
import { describe, expect, it } from "vitest";
import {
  countOf,
  dayCount,
  emailText,
  paragraph,
  percent,
  pointForms,
  presetMessage,
  when,
} from "../../app/flows/presets/messages";
import { composeMessage } from "../../app/messaging/compose";
import { renderTemplate } from "../../app/messaging/templates";
import { presetSampleVariables } from "../support/preset-variables";

const czech = presetSampleVariables("cs", "full", "customer.created");

async function plain(source: string, values: Record<string, unknown> = {}) {
  return renderTemplate(source, { ...czech, ...values }, { escapeHtml: false, locale: "cs" });
}

describe("preset message blocks", () => {
  it.each([
    [0, "0 bodů", "0 points"],
    [1, "1 bod", "1 point"],
    [2, "2 body", "2 points"],
    [4, "4 body", "4 points"],
    [5, "5 bodů", "5 points"],
    [21, "21 bodů", "21 points"],
    [350, "350 bodů", "350 points"],
  ])("counts %i points as %s / %s", async (points, cs, en) => {
    expect(
      await plain(countOf("cs", "points.balance", pointForms), { points: { balance: points, pending: 0 } }),
    ).toBe(cs);
    expect(
      await plain(countOf("en", "points.balance", pointForms), { points: { balance: points, pending: 0 } }),
    ).toBe(en);
  });

  it("writes days and percents the way each language does", () => {
    expect([1, 3, 7, 14].map((days) => dayCount("cs", days))).toEqual(["1 den", "3 dny", "7 dní", "14 dní"]);
    expect([1, 7].map((days) => dayCount("en", days))).toEqual(["1 day", "7 days"]);
    expect(percent("cs", 10)).toBe("10\u00a0%");
    expect(percent("en", 10)).toBe("10%");
  });

  it("leaves no blank lines where a conditional block is hidden", async () => {
    const text = emailText(
      "cs",
      [
        paragraph("First."),
        when("discount_code != blank", [paragraph("Code {{ discount_code }}.")]),
        paragraph("Last."),
      ],
      false,
    );
    expect(await plain(text, { discount_code: "" })).toBe(
      "First.\n\nLast.\n\n--\nTento e-mail vám posílá obchod Lesní bylinky. https://lesni-bylinky.cz",
    );
    expect(await plain(text, { discount_code: "SAVE10" })).toContain("First.\n\nCode SAVE10.\n\nLast.");
  });

  it("escapes variables in HTML, adds the unsubscribe link and the SMS opt-out only to marketing", async () => {
    const copy = {
      subject: "{{ shop.name }}",
      preheader: "Hello",
      blocks: [paragraph("Hello from {{ shop.name }}")],
      sms: "hello {{ shop.url }}",
    };
    const english = presetSampleVariables("en", "full", "customer.created");
    const message = (purpose: "marketing" | "transactional") =>
      presetMessage({
        purpose,
        whatsapp: { templateName: "hello", parameters: ["{{ shop.name }}"] },
        en: copy,
        cs: copy,
      });
    const marketing = await composeMessage(message("marketing"), english, "en");
    expect(marketing.email?.html).toContain("Hello from Juniper &amp; Oak");
    expect(marketing.email?.html).toContain(
      'href="https://app.stayloop.example/u/eyJrIjoidSJ9.sig?x=1&amp;y=2"',
    );
    expect(marketing.sms?.body).toBe(
      "Juniper & Oak: hello https://juniper-and-oak.myshopify.com STOP to opt out",
    );
    expect(marketing.whatsapp).toEqual({
      template: { name: "hello", language: "en", parameters: ["Juniper & Oak"] },
      category: "marketing",
    });
    const transactional = await composeMessage(message("transactional"), english, "en");
    expect(transactional.email?.html).not.toContain("unsubscribe");
    expect(transactional.email?.text).not.toContain("unsubscribe");
    expect(transactional.sms?.body).toBe("Juniper & Oak: hello https://juniper-and-oak.myshopify.com");
    expect(transactional.whatsapp).toMatchObject({ category: "utility" });
  });
});
