// The building blocks of the presets' messages, written once: an e-mail is a list of blocks
// (paragraph, button, the cart's items, product suggestions, a discount code, the NPS scale…),
// each with its HTML and its plain-text form, laid out in one shared frame with the shop's name
// and — for marketing — the unsubscribe link. SMS and WhatsApp get the shop's name and the
// opt-out hint here too. Blocks are liquid; HTML parts are escaped by the renderer
// (app/messaging/templates.ts), so nothing here escapes variables itself.
import type { MessageTemplate } from "../../messaging/compose";
import type { TemplateLocale } from "../../messaging/templates";

export type Locale = TemplateLocale;

/** One piece of an e-mail, as HTML and as plain text (both liquid). */
export interface Block {
  html: string;
  text: string;
}

/** The product lists the engine provides (each up to 3 of { title, url, image_url, price }). */
export type ProductList = "recommendations" | "bestsellers" | "newest_products" | "recently_viewed";

const colors = { text: "#1f2933", muted: "#616e7c", accent: "#1a5d4f", line: "#e4e7eb", soft: "#f5f7f6" };
const font = "font-family:Helvetica,Arial,sans-serif";
const paragraphStyle = `margin:0 0 16px;${font};font-size:16px;line-height:24px;color:${colors.text}`;

const shared = {
  en: {
    quantity: "Qty",
    unsubscribe: "Don't want these e-mails any more?",
    unsubscribeLink: "Unsubscribe",
    sentBy: "You are receiving this e-mail from {{ shop.name }}.",
    smsOptOut: "STOP to opt out",
    signOff: "See you soon,<br>the {{ shop.name }} team",
    signOffText: "See you soon,\nthe {{ shop.name }} team",
    npsLow: "0 = not likely at all",
    npsHigh: "10 = extremely likely",
    npsComment: "Want to tell us more? Leave a comment",
  },
  cs: {
    quantity: "Počet",
    unsubscribe: "Nechcete už tyto e-maily dostávat?",
    unsubscribeLink: "Odhlásit odběr",
    sentBy: "Tento e-mail vám posílá obchod {{ shop.name }}.",
    smsOptOut: "Odhlášení: STOP",
    signOff: "Těšíme se na vás,<br>tým {{ shop.name }}",
    signOffText: "Těšíme se na vás,\ntým {{ shop.name }}",
    npsLow: "0 = rozhodně ne",
    npsHigh: "10 = určitě ano",
    npsComment: "Chcete nám napsat víc? Přidejte komentář",
  },
} as const satisfies Record<Locale, Record<string, string>>;

/** Plain text: a paragraph of liquid (no HTML tags; the renderer escapes its variables in HTML). */
export function paragraph(liquid: string): Block {
  return { html: `<p style="${paragraphStyle}">${liquid}</p>`, text: liquid };
}

/** A paragraph in bold (the text part has no markup). */
export function emphasised(liquid: string): Block {
  return { html: `<p style="${paragraphStyle}"><strong>${liquid}</strong></p>`, text: liquid };
}

/** The greeting: English by first name when known; Czech stays formal ("Dobrý den,"). */
export function greeting(locale: Locale): Block {
  return locale === "en"
    ? paragraph("Hi{% if customer.first_name != blank %} {{ customer.first_name }}{% endif %},")
    : paragraph("Dobrý den,");
}

/** A call-to-action button; `url` is a liquid expression such as `checkout_url`. */
export function button(label: string, url: string): Block {
  return {
    html:
      `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 24px"><tr>` +
      `<td style="border-radius:6px;background:${colors.accent}">` +
      `<a href="{{ ${url} }}" style="display:inline-block;padding:12px 24px;${font};font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none">${label}</a>` +
      `</td></tr></table>`,
    text: `${label}: {{ ${url} }}`,
  };
}

/** Starts a conditional block's text: the block brings its own separator (see `when`). */
const ownSeparator = "\u{E000}";

/** Blocks shown only when a liquid condition holds (e.g. `discount_code != blank`). */
export function when(condition: string, blocks: readonly Block[], otherwise: readonly Block[] = []): Block {
  const html = (list: readonly Block[]) => list.map((block) => block.html).join("");
  const text = (list: readonly Block[]) => list.map((block) => `\n\n${block.text}`).join("");
  const elseHtml = otherwise.length > 0 ? `{% else %}${html(otherwise)}` : "";
  const elseText = otherwise.length > 0 ? `{% else %}${text(otherwise)}` : "";
  return {
    html: `{% if ${condition} %}${html(blocks)}${elseHtml}{% endif %}`,
    // The separator lives inside the condition, so a hidden block leaves no blank lines.
    text: `${ownSeparator}{% if ${condition} %}${text(blocks)}${elseText}{% endif %}`,
  };
}

/** The cart's or order's lines: image, title, variant, quantity and unit price. */
export function lineItems(locale: Locale): Block {
  const words = shared[locale];
  return {
    html:
      `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 16px;border-top:1px solid ${colors.line}">` +
      `{% for item in items %}<tr>` +
      `<td width="72" style="padding:12px 12px 12px 0;border-bottom:1px solid ${colors.line};vertical-align:top">` +
      `{% if item.image_url != blank %}<img src="{{ item.image_url }}" alt="{{ item.title }}" width="64" style="display:block;width:64px;height:auto;border:0;border-radius:4px">{% endif %}</td>` +
      `<td style="padding:12px 0;border-bottom:1px solid ${colors.line};vertical-align:top;${font};font-size:15px;line-height:22px;color:${colors.text}">` +
      `<a href="{{ item.url }}" style="color:${colors.text};font-weight:bold;text-decoration:none">{{ item.title }}</a>` +
      `{% if item.variant_title != blank %}<br><span style="color:${colors.muted}">{{ item.variant_title }}</span>{% endif %}` +
      `<br><span style="color:${colors.muted}">${words.quantity}: {{ item.quantity }}</span></td>` +
      `<td align="right" style="padding:12px 0;border-bottom:1px solid ${colors.line};vertical-align:top;${font};font-size:15px;line-height:22px;color:${colors.text};white-space:nowrap">{{ item.price }}</td>` +
      `</tr>{% endfor %}</table>`,
    text:
      `{% for item in items %}{% unless forloop.first %}\n{% endunless %}- {{ item.title }}` +
      `{% if item.variant_title != blank %} ({{ item.variant_title }}){% endif %}` +
      ` × {{ item.quantity }} – {{ item.price }}{% endfor %}`,
  };
}

/** Up to three product suggestions under a heading; nothing at all when the list is empty. */
export function productList(list: ProductList, title: string): Block {
  const card =
    `<td width="33%" style="padding:8px;vertical-align:top;text-align:center;${font};font-size:14px;line-height:20px;color:${colors.text}">` +
    `{% if suggestion.image_url != blank %}<a href="{{ suggestion.url }}"><img src="{{ suggestion.image_url }}" alt="{{ suggestion.title }}" width="160" style="display:block;width:100%;max-width:160px;height:auto;margin:0 auto 8px;border:0;border-radius:4px"></a>{% endif %}` +
    `<a href="{{ suggestion.url }}" style="color:${colors.text};text-decoration:none">{{ suggestion.title }}</a>` +
    `{% if suggestion.price != blank %}<br><span style="color:${colors.muted}">{{ suggestion.price }}</span>{% endif %}</td>`;
  return when(`${list}.size > 0`, [
    {
      html:
        `<h2 style="margin:24px 0 8px;${font};font-size:18px;line-height:24px;color:${colors.text}">${title}</h2>` +
        `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 16px"><tr>` +
        `{% for suggestion in ${list} limit: 3 %}${card}{% endfor %}</tr></table>`,
      text:
        `${title}:{% for suggestion in ${list} limit: 3 %}\n- {{ suggestion.title }}` +
        `{% if suggestion.price != blank %} – {{ suggestion.price }}{% endif %}: {{ suggestion.url }}{% endfor %}`,
    },
  ]);
}

/** The one product a message is about (browsed or replenished); nothing when unknown. */
export function featuredProduct(linkLabel: string, url = "product.url"): Block {
  return when("product", [
    {
      html:
        `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 16px;background:${colors.soft};border-radius:6px"><tr>` +
        `{% if product.image_url != blank %}<td width="180" style="padding:16px;vertical-align:top"><a href="{{ ${url} }}"><img src="{{ product.image_url }}" alt="{{ product.title }}" width="160" style="display:block;width:160px;height:auto;border:0;border-radius:4px"></a></td>{% endif %}` +
        `<td style="padding:16px;vertical-align:top;${font};font-size:16px;line-height:24px;color:${colors.text}">` +
        `<strong>{{ product.title }}</strong>{% if product.price != blank %}<br>{{ product.price }}{% endif %}` +
        `<br><a href="{{ ${url} }}" style="color:${colors.accent}">${linkLabel}</a></td></tr></table>`,
      text: `{{ product.title }}{% if product.price != blank %} – {{ product.price }}{% endif %}\n${linkLabel}: {{ ${url} }}`,
    },
  ]);
}

/** The run's discount code in a box, only when the discount step produced one. */
export function discountCode(lines: { before: string; after: string }): Block {
  return when("discount_code != blank", [
    {
      html:
        `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 16px"><tr>` +
        `<td align="center" style="padding:16px;border:2px dashed ${colors.accent};border-radius:6px;${font};font-size:15px;line-height:22px;color:${colors.text}">` +
        `${lines.before}<br><strong style="display:inline-block;margin:8px 0;font-size:22px;letter-spacing:2px;color:${colors.accent}">{{ discount_code }}</strong><br>${lines.after}</td></tr></table>`,
      text: `${lines.before}\n{{ discount_code }}\n${lines.after}`,
    },
  ]);
}

/** The 0–10 question as eleven one-click links (signed by the engine), then the comment page. */
export function npsScale(locale: Locale, fallback: string): Block {
  const words = shared[locale];
  return when(
    "nps",
    [
      {
        html:
          `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 8px"><tr>` +
          `{% for link in nps.links %}<td align="center" style="padding:2px">` +
          `<a href="{{ link.url }}" style="display:block;padding:10px 0;border:1px solid ${colors.line};border-radius:4px;${font};font-size:16px;font-weight:bold;color:${colors.accent};text-decoration:none">{{ link.score }}</a></td>{% endfor %}` +
          `</tr></table>` +
          `<p style="margin:0 0 16px;${font};font-size:13px;line-height:18px;color:${colors.muted}">${words.npsLow} · ${words.npsHigh}</p>` +
          `{% if nps.comment_url != blank %}<p style="${paragraphStyle}"><a href="{{ nps.comment_url }}" style="color:${colors.accent}">${words.npsComment}</a></p>{% endif %}`,
        text:
          `{% for link in nps.links %}{% unless forloop.first %}\n{% endunless %}{{ link.score }}: {{ link.url }}{% endfor %}` +
          `\n(${words.npsLow}, ${words.npsHigh})` +
          `{% if nps.comment_url != blank %}\n${words.npsComment}: {{ nps.comment_url }}{% endif %}`,
      },
    ],
    [paragraph(fallback)],
  );
}

export function signOff(locale: Locale): Block {
  return {
    html: `<p style="${paragraphStyle}">${shared[locale].signOff}</p>`,
    text: shared[locale].signOffText,
  };
}

function footerHtml(locale: Locale, marketing: boolean): string {
  const words = shared[locale];
  const unsubscribe = marketing
    ? `{% if unsubscribe_url != blank %}<br>${words.unsubscribe} <a href="{{ unsubscribe_url }}" style="color:${colors.muted}">${words.unsubscribeLink}</a>{% endif %}`
    : "";
  return (
    `<p style="margin:24px 0 0;padding-top:16px;border-top:1px solid ${colors.line};${font};font-size:12px;line-height:18px;color:${colors.muted}">` +
    `${words.sentBy} <a href="{{ shop.url }}" style="color:${colors.muted}">{{ shop.url }}</a>${unsubscribe}</p>`
  );
}

function footerText(locale: Locale, marketing: boolean): string {
  const words = shared[locale];
  const unsubscribe = marketing
    ? `{% if unsubscribe_url != blank %}\n${words.unsubscribe} ${words.unsubscribeLink}: {{ unsubscribe_url }}{% endif %}`
    : "";
  return `--\n${words.sentBy} {{ shop.url }}${unsubscribe}`;
}

/** The whole HTML document: hidden preheader, the shop's name, the blocks, the footer. */
export function emailHtml(
  locale: Locale,
  preheader: string,
  blocks: readonly Block[],
  marketing: boolean,
): string {
  return (
    `<!DOCTYPE html><html lang="${locale}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>{{ shop.name }}</title></head>` +
    `<body style="margin:0;padding:0;background:${colors.soft}">` +
    `<div style="display:none;max-height:0;overflow:hidden">${preheader}</div>` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:${colors.soft}"><tr><td align="center" style="padding:24px 12px">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:8px"><tr><td style="padding:32px 28px">` +
    `<p style="margin:0 0 24px;${font};font-size:20px;font-weight:bold;color:${colors.accent}"><a href="{{ shop.url }}" style="color:${colors.accent};text-decoration:none">{{ shop.name }}</a></p>` +
    blocks.map((block) => block.html).join("") +
    footerHtml(locale, marketing) +
    `</td></tr></table></td></tr></table></body></html>`
  );
}

/** The plain-text part: blocks separated by a blank line, then the footer. */
export function emailText(locale: Locale, blocks: readonly Block[], marketing: boolean): string {
  return [...blocks.map((block) => block.text), footerText(locale, marketing)]
    .join("\n\n")
    .split(`\n\n${ownSeparator}`)
    .join("")
    .replace(ownSeparator, "");
}

/** One language version of a preset's message. */
export interface LocaleCopy {
  subject: string;
  /** The line inboxes show after the subject. */
  preheader: string;
  blocks: readonly Block[];
  /** Without the shop's name or the opt-out hint: both are added. Keep it short; it ends with a link. */
  sms: string;
}

export interface PresetMessage {
  purpose: "marketing" | "transactional";
  /** The approved WhatsApp template (same name in every language) and its parameters, in order. */
  whatsapp: { templateName: string; parameters: readonly string[] };
  en: LocaleCopy;
  cs: LocaleCopy;
}

/** A preset's message template: e-mail, SMS and WhatsApp in English and Czech. */
export function presetMessage(message: PresetMessage): MessageTemplate {
  const marketing = message.purpose === "marketing";
  const version = (locale: Locale) => {
    const copy = message[locale];
    return {
      email: {
        subject: copy.subject,
        html: emailHtml(locale, copy.preheader, copy.blocks, marketing),
        text: emailText(locale, copy.blocks, marketing),
      },
      sms: { body: `{{ shop.name }}: ${copy.sms}${marketing ? ` ${shared[locale].smsOptOut}` : ""}` },
      whatsapp: {
        templateName: message.whatsapp.templateName,
        language: locale,
        category: marketing ? ("marketing" as const) : ("utility" as const),
        parameters: [...message.whatsapp.parameters],
      },
    };
  };
  return { versions: { en: version("en"), cs: version("cs") } };
}

/** "7 days" / "7 dní": Czech has three plural forms (1 den, 2–4 dny, 5+ dní). */
export function dayCount(locale: Locale, days: number): string {
  if (locale === "en") return days === 1 ? "1 day" : `${days} days`;
  if (days === 1) return "1 den";
  return days >= 2 && days <= 4 ? `${days} dny` : `${days} dní`;
}

/** "10% off" / "10 %" (Czech writes a non-breaking space before the percent sign). */
export function percent(locale: Locale, value: number): string {
  return locale === "en" ? `${value}%` : `${value}\u00a0%`;
}

/** A noun agreeing with a liquid number: "1 point" / "5 points"; Czech "1 bod", "3 body", "5 bodů". */
export function countOf(
  locale: Locale,
  expression: string,
  forms: { en: readonly [string, string]; cs: readonly [string, string, string] },
): string {
  if (locale === "en")
    return `{{ ${expression} }} {% if ${expression} == 1 %}${forms.en[0]}{% else %}${forms.en[1]}{% endif %}`;
  const [one, few, many] = forms.cs;
  return `{{ ${expression} }} {% if ${expression} == 1 %}${one}{% elsif ${expression} >= 2 and ${expression} <= 4 %}${few}{% else %}${many}{% endif %}`;
}

export const pointForms = { en: ["point", "points"], cs: ["bod", "body", "bodů"] } as const;

/** An incentive's code with what it is worth and how long it lasts; `lead` opens the sentence. */
export function incentiveCode(
  locale: Locale,
  incentive: { percentOff: number; days: number } | null,
  lead: string,
): Block[] {
  if (!incentive) return [];
  const off = percent(locale, incentive.percentOff);
  return [
    locale === "en"
      ? discountCode({
          before: `${lead} ${off} off your next order with this personal code:`,
          after: `It is valid for ${dayCount("en", incentive.days)} and works once.`,
        })
      : discountCode({
          before: `${lead} sleva ${off} na další nákup s tímto osobním kódem:`,
          after: `Platí ${dayCount("cs", incentive.days)} a lze ho použít jednou.`,
        }),
  ];
}
