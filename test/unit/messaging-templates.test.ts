// Message templates: the liquidjs sandbox (no files, no prototypes, limits), validation with line
// numbers, HTML escaping, the money filter, sample previews and choosing a language version.
import { describe, expect, it } from "vitest";
import {
  TemplateError,
  chooseLocale,
  formatMoney,
  previewTemplate,
  renderTemplate,
  sampleVariables,
  validateTemplate,
  type TemplateProblem,
} from "../../app/messaging/templates";

const nbsp = "\u00a0";

function renderText(source: string): Promise<string> {
  return renderTemplate(source, sampleVariables("en"), { escapeHtml: false, locale: "en" });
}

async function renderProblems(source: string): Promise<TemplateProblem[]> {
  try {
    await renderText(source);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return (error as TemplateError).problems;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

function validationErrors(source: string): TemplateProblem[] {
  const result = validateTemplate(source);
  if (result.ok) throw new Error(`expected ${JSON.stringify(source)} to be invalid`);
  return result.errors;
}

describe("template sandbox", () => {
  it("rejects {% include %} of a file at parse time, so nothing is read", async () => {
    const source = "Hello\n  {% include '/etc/passwd' %}";
    expect(validationErrors(source)).toEqual([
      { message: "Line 2: tag {% include %} is not allowed in message templates", line: 2, column: 3 },
    ]);
    await expect(renderText(source)).rejects.toThrow("Line 2: tag {% include %} is not allowed");
  });

  it("rejects file tags even in a branch that never runs", async () => {
    await expect(renderText("{% if false %}{% include '/etc/passwd' %}{% endif %}")).rejects.toThrow(
      /include %\} is not allowed/,
    );
  });

  it("rejects {% render %} and {% layout %}", async () => {
    await expect(renderText("{% render 'x' %}")).rejects.toThrow(/tag \{% render %\} is not allowed/);
    await expect(renderText("{% layout 'x' %}")).rejects.toThrow(/tag \{% layout %\} is not allowed/);
    expect(validationErrors("{% liquid\n render 'x' %}")[0]?.message).toMatch(/render %\} is not allowed/);
  });

  it("gives nothing for prototype properties", async () => {
    const output = await renderText(
      "[{{ customer.constructor }}][{{ customer.__proto__ }}][{{ customer.toString }}][{{ items.constructor.name }}]",
    );
    expect(output).toBe("[][][][]");
  });

  it("renders a missing variable as empty but fails on an unknown filter", async () => {
    expect(await renderText("a{{ nothing.here }}b")).toBe("ab");
    expect(validationErrors("ok\n{{ customer.first_name | shout }}")).toEqual([
      { message: 'Line 2: unknown filter "shout"', line: 2, column: 1 },
    ]);
  });

  it("stops a huge loop with an error instead of hanging", async () => {
    const problems = await renderProblems("ok\n{% for i in (1..100000000) %}x{% endfor %}");
    expect(problems).toEqual([
      {
        message: "Line 2: the template builds too much data (memory alloc limit exceeded)",
        line: 2,
        column: 1,
      },
    ]);
  });

  it("stops nested loops that would run for ages with the time limit", async () => {
    const nested =
      "{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}x{% endfor %}{% endfor %}{% endfor %}";
    const started = performance.now();
    const problems = await renderProblems(nested);
    expect(problems[0]?.message).toMatch(
      /^Line 1: the template took longer than 1000 ms \(render limit exceeded\)$/,
    );
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it("refuses to parse an enormous template", () => {
    expect(validationErrors("x".repeat(1_000_001))[0]?.message).toMatch(/parse length limit exceeded/);
  });
});

describe("validateTemplate", () => {
  it("accepts a valid template using the variables", () => {
    const source = [
      "Hi {{ customer.first_name }},",
      "{% for item in items %}{{ item.quantity }}× {{ item.title }} {{ item.price_minor | money: currency }}",
      "{% endfor %}{% if tier %}{{ tier.name }}{% endif %} {{ points.balance }} {{ unsubscribe_url }}",
    ].join("\n");
    expect(validateTemplate(source)).toEqual({ ok: true });
  });

  it("reports an {% if %} left open on line 3", () => {
    expect(validationErrors("Hello\n{{ customer.first_name }}\n  {% if x %}\nyes\n")).toEqual([
      { message: "Line 3: tag {% if x %} is not closed", line: 3, column: 3 },
    ]);
  });

  it("reports a pipe without a filter on line 2", () => {
    expect(validationErrors("Hello\nDear {{ foo | }}\n")).toEqual([
      { message: 'Line 2: a "|" is not followed by a filter name in {{ foo | }}', line: 2, column: 6 },
    ]);
    expect(validationErrors("{{ a }}\n\n{% assign x = foo | | upcase %}")[0]?.line).toBe(3);
  });

  it("does not mistake a pipe inside a string, {% raw %} or {% comment %} for a missing filter", () => {
    expect(validateTemplate("{{ 'a |' | append: \"| \" }}")).toEqual({ ok: true });
    expect(
      validateTemplate("{% raw %}{{ foo | }}{% endraw %}{% comment %}{{ x | }}{% endcomment %}"),
    ).toEqual({
      ok: true,
    });
  });

  it("reports an unknown tag and an unclosed output with their lines", () => {
    expect(validationErrors("a\nb\n{% endif %}")).toEqual([
      { message: "Line 3: unknown tag {% endif %}", line: 3, column: 1 },
    ]);
    const unclosed = validationErrors("a\n\n\nx {{ customer.first_name ");
    expect(unclosed).toHaveLength(1);
    expect(unclosed[0]).toMatchObject({ line: 4, column: 3 });
    expect(unclosed[0]?.message).toMatch(/^Line 4: output .* not closed$/);
  });
});

describe("renderTemplate", () => {
  const script = "<script>alert(1)</script>";

  function withFirstName(firstName: string) {
    const variables = sampleVariables("en");
    variables.customer.first_name = firstName;
    return variables;
  }

  it("escapes variables in HTML parts and keeps them as they are in text parts", async () => {
    const variables = withFirstName(script);
    const html = await renderTemplate("<p>Hi {{ customer.first_name }}</p>", variables, { escapeHtml: true });
    expect(html).toBe("<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>");
    const text = await renderTemplate("Hi {{ customer.first_name }}", variables, { escapeHtml: false });
    expect(text).toBe(`Hi ${script}`);
  });

  it("lets an HTML template opt out of escaping with | raw", async () => {
    const html = await renderTemplate("{{ customer.first_name | raw }}", withFirstName(script), {
      escapeHtml: true,
    });
    expect(html).toBe(script);
  });

  it("renders loops over items and nullable tier", async () => {
    const variables = sampleVariables("en");
    const source =
      "{% for item in items %}{{ item.title }} x{{ item.quantity }};{% endfor %}{{ tier.name | default: 'none' }}";
    expect(await renderTemplate(source, variables, { escapeHtml: false })).toBe(
      "Merino Wool Sweater x1;Organic Cotton Socks x2;Gold",
    );
    const noTier = await renderTemplate(source, { ...variables, tier: null }, { escapeHtml: false });
    expect(noTier).toMatch(/;none$/);
  });

  it("throws a TemplateError with the line of a failing filter", async () => {
    const problems = await renderProblems("ok\n{{ 'abc' | money: 'USD' }}");
    expect(problems).toEqual([
      {
        message: 'Line 2: money filter expects whole minor units such as 1999, got "abc"',
        line: 2,
        column: 1,
      },
    ]);
  });
});

describe("money filter", () => {
  it("formats minor units in Czech", async () => {
    const output = await renderTemplate('{{ 123456 | money: "CZK" }}', sampleVariables("cs"), {
      escapeHtml: false,
      locale: "cs",
    });
    expect(output).toBe(`1${nbsp}234,56${nbsp}Kč`);
  });

  it("formats minor units in English", async () => {
    expect(await renderText('{{ 1999 | money: "USD" }}')).toBe("$19.99");
  });

  it("formats for the language version being rendered", async () => {
    const source = '{{ 1999 | money: "EUR" }}';
    const variables = sampleVariables("en");
    expect(await renderTemplate(source, variables, { escapeHtml: false, locale: "cs" })).toBe(
      `19,99${nbsp}€`,
    );
    expect(await renderTemplate(source, variables, { escapeHtml: false, locale: "en" })).toBe("€19.99");
  });

  it("defaults the locale to the customer's language", async () => {
    const variables = sampleVariables("en");
    variables.customer.locale = "cs-CZ";
    expect(await renderTemplate('{{ 1999 | money: "EUR" }}', variables, { escapeHtml: false })).toBe(
      `19,99${nbsp}€`,
    );
  });

  it("uses the currency variable when no currency is given, and respects the currency's digits", async () => {
    expect(await renderText("{{ items[0].price_minor | money }}")).toBe("$89.00");
    expect(await renderText('{{ 1500 | money: "JPY" }}')).toBe("¥1,500");
    expect(await renderText('{{ "-250" | money: "USD" }}')).toBe("-$2.50");
  });

  it("fails on an unknown currency", async () => {
    expect((await renderProblems('{{ 100 | money: "XYZW" }}'))[0]?.message).toMatch(
      /unknown currency "XYZW"/,
    );
  });

  it("formatMoney matches the filter", () => {
    expect(formatMoney(123456, "czk", "cs")).toBe(`1${nbsp}234,56${nbsp}Kč`);
    expect(formatMoney(1999, "USD", "en")).toBe("$19.99");
  });
});

describe("sample variables and preview", () => {
  it("gives each language its own customer, currency and formatted prices", () => {
    const en = sampleVariables("en");
    const cs = sampleVariables("cs");
    expect(en.customer.locale).toBe("en");
    expect(cs.customer.locale).toBe("cs");
    expect(en.currency).toBe("USD");
    expect(cs.currency).toBe("CZK");
    expect(en.items[1]).toMatchObject({ price_minor: 1999, price: "$19.99" });
    expect(cs.items[0]).toMatchObject({ price_minor: 189000, price: `1${nbsp}890,00${nbsp}Kč` });
    expect(cs.tier?.name).toBe("Zlatá");
  });

  it("returns a fresh copy each time, so a preview cannot change the next one", () => {
    sampleVariables("en").customer.first_name = "Changed";
    expect(sampleVariables("en").customer.first_name).toBe("Emma");
  });

  it("previews a template with the sample data of the language, HTML-escaped by default", async () => {
    const source = "{{ customer.first_name }} & {{ shop.name }}: {{ items[0].price }} <{{ discount_code }}>";
    expect(await previewTemplate(source, "cs")).toBe(
      `Tereza & Stayloop Demo Obchod: 1${nbsp}890,00${nbsp}Kč <VITEJTE10>`,
    );
    expect(await previewTemplate("{{ 'a&b' }}", "en")).toBe("a&amp;b");
    expect(await previewTemplate("{{ 'a&b' }}", "en", { escapeHtml: false })).toBe("a&b");
  });
});

describe("chooseLocale", () => {
  it("uses the customer's language when the template has it", () => {
    expect(chooseLocale("cs-CZ", ["en", "cs"], "en")).toBe("cs");
    expect(chooseLocale("en-US", ["en", "cs"], "cs")).toBe("en");
    expect(chooseLocale("CS", ["en", "cs"], "en")).toBe("cs");
    expect(chooseLocale("cs_CZ", ["en", "cs"], "en")).toBe("cs");
  });

  it("falls back to the shop default for unknown or missing languages", () => {
    expect(chooseLocale("de-DE", ["en", "cs"], "cs")).toBe("cs");
    expect(chooseLocale(null, ["en", "cs"], "cs")).toBe("cs");
    expect(chooseLocale(undefined, ["en", "cs"], "en")).toBe("en");
    expect(chooseLocale("", ["en", "cs"], "cs")).toBe("cs");
  });

  it("falls back to the first available version when the shop default is missing", () => {
    expect(chooseLocale("de", ["cs"], "en")).toBe("cs");
    expect(chooseLocale("en-GB", ["cs"], "en")).toBe("cs");
  });

  it("returns the shop default when no version exists", () => {
    expect(chooseLocale("cs", [], "en")).toBe("en");
  });
});
