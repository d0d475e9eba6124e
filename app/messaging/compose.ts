// A flow step's message as the merchant writes it: language versions ("en", "cs") of the e-mail
// (subject, HTML, text), the SMS text and the WhatsApp template's parameters, each a liquid
// template. Composing picks the version for the customer's language and renders every part into
// the outbox's content; validating reports every problem with where it is ("cs · e-mail HTML").
import { z } from "zod";
import type { MessageContent } from "./outbox";
import {
  chooseLocale,
  renderTemplate,
  templateLocales,
  validateTemplate,
  type TemplateLocale,
  type TemplateVariables,
} from "./templates";

const version = z.object({
  email: z
    .object({
      subject: z.string().min(1, "needs a subject"),
      html: z.string().min(1),
      text: z.string().min(1),
    })
    .optional(),
  sms: z.object({ body: z.string().min(1) }).optional(),
  whatsapp: z
    .object({
      templateName: z.string().regex(/^[a-z0-9_]+$/, "is the approved template's name, e.g. cart_reminder"),
      language: z.string().min(2),
      category: z.enum(["marketing", "utility", "authentication"]),
      parameters: z.array(z.string()),
    })
    .optional(),
});

export const messageTemplateSchema = z
  .object({ versions: z.partialRecord(z.enum(templateLocales), version) })
  .refine((template) => Object.keys(template.versions).length > 0, {
    message: "needs at least one language",
  });
export type MessageTemplate = z.infer<typeof messageTemplateSchema>;

export interface TemplateFieldProblem {
  /** Where, in the merchant's words: "cs · e-mail HTML". */
  field: string;
  message: string;
  line: number | null;
}

const partNames = {
  "email.subject": "e-mail subject",
  "email.html": "e-mail HTML",
  "email.text": "e-mail text",
  "sms.body": "SMS",
} as const;

function templateParts(
  locale: TemplateLocale,
  template: MessageTemplate,
): { field: string; source: string }[] {
  const content = template.versions[locale];
  if (!content) return [];
  const parts: { field: string; source: string }[] = [];
  if (content.email) {
    parts.push({ field: `${locale} · ${partNames["email.subject"]}`, source: content.email.subject });
    parts.push({ field: `${locale} · ${partNames["email.html"]}`, source: content.email.html });
    parts.push({ field: `${locale} · ${partNames["email.text"]}`, source: content.email.text });
  }
  if (content.sms) parts.push({ field: `${locale} · ${partNames["sms.body"]}`, source: content.sms.body });
  content.whatsapp?.parameters.forEach((source, index) =>
    parts.push({ field: `${locale} · WhatsApp parameter ${index + 1}`, source }),
  );
  return parts;
}

/** Every problem of a message template, or none: shape first, then each part's liquid syntax. */
export function validateMessageTemplate(input: unknown): TemplateFieldProblem[] {
  const parsed = messageTemplateSchema.safeParse(input);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({
      field: issue.path.join(".") || "template",
      message: issue.message,
      line: null,
    }));
  }
  return templateLocales.flatMap((locale) =>
    templateParts(locale, parsed.data).flatMap(({ field, source }) => {
      const result = validateTemplate(source);
      return result.ok
        ? []
        : result.errors.map((error) => ({ field, message: error.message, line: error.line }));
    }),
  );
}

/** Renders the version for the customer's language into the outbox's content. */
export async function composeMessage(
  template: MessageTemplate,
  variables: TemplateVariables,
  shopDefault: TemplateLocale,
): Promise<MessageContent> {
  const available = templateLocales.filter((locale) => template.versions[locale] !== undefined);
  const locale = chooseLocale(variables.customer.locale, available, shopDefault);
  const content = template.versions[locale];
  if (!content) throw new Error("the message template has no language versions");
  const plain = (source: string) => renderTemplate(source, variables, { escapeHtml: false, locale });
  const composed: MessageContent = {};
  if (content.email) {
    composed.email = {
      subject: (await plain(content.email.subject)).replace(/\s+/g, " ").trim(),
      html: await renderTemplate(content.email.html, variables, { escapeHtml: true, locale }),
      text: await plain(content.email.text),
    };
  }
  if (content.sms) composed.sms = { body: (await plain(content.sms.body)).trim() };
  if (content.whatsapp) {
    composed.whatsapp = {
      template: {
        name: content.whatsapp.templateName,
        language: content.whatsapp.language,
        parameters: await Promise.all(content.whatsapp.parameters.map(plain)),
      },
      category: content.whatsapp.category,
    };
  }
  return composed;
}
