// What the Flows pages of the admin need (R-ADM-2): the list of presets and the shop's flows with
// their figures, an edit saved only when the whole definition validates (problems named by step and
// field), template previews on sample data or on a real customer, and test-sends through the real
// outbox that never count in a flow's results. Every query is scoped by the shop.
import { testRecipientPrefix } from "../customers/test-recipients";
import type { Customer } from "@prisma/client";
import type { Database } from "../db/client";
import { listSegments } from "../customers/segments";
import { composeMessage, validateMessageTemplate, type MessageTemplate } from "../messaging/compose";
import { channels, type Channel } from "../messaging/channels";
import type { MessageContent } from "../messaging/outbox";
import { enqueueMessage, newMessageId } from "../messaging/outbox";
import {
  sampleVariables,
  templateLocales,
  TemplateError,
  type TemplateLocale,
  type TemplateVariables,
} from "../messaging/templates";
import { fromStoredInteger } from "../money/stored";
import type { Period } from "./attribution";
import { definitionProblems, flowDefinitionSchema, type DefinitionProblem } from "./definition";
import { saveFlowVersion, FlowNotFoundError, FlowStateError } from "./flows";
import { flowPresets } from "./presets";
import { controlReport, flowDetail, flowReport, flowSummaries, FlowReportNotFoundError } from "./reports";

export { FlowNotFoundError, FlowReportNotFoundError, FlowStateError };

/** One row of the Flows list: a preset not turned on yet, or a flow of the shop. */
export interface FlowListRow {
  kind: "preset" | "flow";
  /** The preset it came from, when it came from one. */
  presetId: string | null;
  flowId: string | null;
  name: { en: string; cs: string };
  description: { en: string; cs: string } | null;
  /** off (a preset not on, or a draft) / live / paused. */
  status: "off" | "live" | "paused";
  recipients: number;
  conversions: number;
  /** conversions / recipients; null without recipients. */
  conversionRate: number | null;
  revenueMinor: number;
  /** Null without a control group, or before there is enough data. */
  incrementalRevenueMinor: number | null;
  hasControlGroup: boolean;
}

export interface FlowsOverview {
  currency: string;
  period: Period;
  rows: FlowListRow[];
}

function statusOf(status: string): FlowListRow["status"] {
  return status === "live" ? "live" : status === "paused" ? "paused" : "off";
}

/** Every preset and every flow of the shop (archived flows left out) with the period's figures. */
export async function flowsOverview(db: Database, shopId: string, period: Period): Promise<FlowsOverview> {
  const summaries = await flowSummaries(db, shopId, period);
  const flows = summaries.flows.filter((flow) => flow.status !== "archived");
  const versions =
    flows.length === 0
      ? []
      : await db.flowVersion.findMany({
          where: { shopId, OR: flows.map((flow) => ({ flowId: flow.id, version: flow.currentVersion })) },
          select: { flowId: true, definition: true },
        });
  const controlShare = new Map(
    versions.map((row) => [
      row.flowId,
      flowDefinitionSchema.safeParse(row.definition).data?.controlPercent ?? 0,
    ]),
  );
  const incremental = new Map<string, number | null>();
  for (const flow of flows) {
    if ((controlShare.get(flow.id) ?? 0) === 0) continue;
    const report = await controlReport(db, shopId, flow.id, period);
    incremental.set(flow.id, report.incrementalRevenueMinor);
  }
  const presetByName = new Map(
    flowPresets.flatMap((preset) => [
      [preset.name.en, preset],
      [preset.name.cs, preset],
    ]),
  );
  const rows: FlowListRow[] = [];
  const presetsTaken = new Set<string>();
  for (const flow of flows) {
    const preset = presetByName.get(flow.name);
    if (preset) presetsTaken.add(preset.id);
    rows.push({
      kind: "flow",
      presetId: preset?.id ?? null,
      flowId: flow.id,
      name: preset && flow.name === preset.name.en ? preset.name : { en: flow.name, cs: flow.name },
      description: preset?.description ?? null,
      status: statusOf(flow.status),
      recipients: flow.recipients,
      conversions: flow.conversions,
      conversionRate: flow.recipients > 0 ? flow.conversions / flow.recipients : null,
      revenueMinor: flow.revenueMinor,
      incrementalRevenueMinor: incremental.get(flow.id) ?? null,
      hasControlGroup: (controlShare.get(flow.id) ?? 0) > 0,
    });
  }
  for (const preset of flowPresets) {
    if (presetsTaken.has(preset.id)) continue;
    rows.push({
      kind: "preset",
      presetId: preset.id,
      flowId: null,
      name: preset.name,
      description: preset.description,
      status: "off",
      recipients: 0,
      conversions: 0,
      conversionRate: null,
      revenueMinor: 0,
      incrementalRevenueMinor: null,
      hasControlGroup: false,
    });
  }
  return { currency: summaries.currency, period, rows };
}

/** The editor's material: the flow, its versions and changes, and the shop's saved segments. */
export async function flowEditorData(db: Database, shopId: string, flowId: string) {
  const detail = await flowDetail(db, shopId, flowId);
  const segments = await listSegments(db, shopId);
  return { flow: detail, segments: segments.map((segment) => ({ id: segment.id, name: segment.name })) };
}

/** Whether the flow is the shop's (archived or not). */
export async function flowExists(db: Database, shopId: string, flowId: string): Promise<boolean> {
  return (await db.flow.count({ where: { id: flowId, shopId } })) === 1;
}

/** The per-step, per-variant and control-group results of a flow for the period. */
export function flowResultsData(db: Database, shopId: string, flowId: string, period: Period) {
  return flowReport(db, shopId, flowId, period);
}

/** An edit the editor refused: nothing was saved; each problem names the step and field. */
export class FlowEditError extends Error {
  constructor(readonly problems: DefinitionProblem[]) {
    super(problems.map((problem) => `${problem.step ?? ""} ${problem.path}: ${problem.message}`).join("; "));
    this.name = "FlowEditError";
  }
}

/**
 * Saves the editor's definition as the flow's next version, or refuses it whole (FlowEditError)
 * when any part does not validate — shape, links, templates (by line), loops, the shop's segments.
 */
export async function saveEditedFlow(
  db: Database,
  input: { shopId: string; flowId: string; definition: unknown; staff: string; now: Date },
): Promise<{ version: number }> {
  const problems = definitionProblems(input.definition);
  if (problems.length > 0) throw new FlowEditError(problems);
  try {
    const saved = await saveFlowVersion(db, input);
    return { version: saved.version };
  } catch (error) {
    if (error instanceof Error && error.name === "InvalidFlowError") {
      throw new FlowEditError((error as unknown as { problems: DefinitionProblem[] }).problems);
    }
    throw error;
  }
}

/** A customer the merchant can preview a message on, found by e-mail or name. */
export interface CustomerChoice {
  id: string;
  label: string;
}

function customerLabel(customer: Pick<Customer, "firstName" | "lastName" | "email" | "phone">): string {
  const name = [customer.firstName, customer.lastName].filter(Boolean).join(" ");
  const contact = customer.email ?? customer.phone ?? "";
  return name && contact ? `${name} (${contact})` : name || contact || "—";
}

export async function searchCustomers(
  db: Database,
  shopId: string,
  query: string,
): Promise<CustomerChoice[]> {
  const words = query.trim();
  if (words.length < 2) return [];
  const rows = await db.customer.findMany({
    where: {
      shopId,
      redactedAt: null,
      deletedAt: null,
      NOT: { shopifyId: { startsWith: testRecipientPrefix } },
      OR: [
        { email: { contains: words } },
        { email: { contains: words.toLowerCase() } },
        { firstName: { contains: words } },
        { lastName: { contains: words } },
      ],
    },
    orderBy: { createdAt: "asc" },
    take: 8,
    select: { id: true, firstName: true, lastName: true, email: true, phone: true },
  });
  return rows.map((row) => ({ id: row.id, label: customerLabel(row) }));
}

/** The template's variables for one real customer of the shop; the cart and products are samples. */
async function customerVariables(
  db: Database,
  shopId: string,
  customerId: string,
  locale: TemplateLocale,
): Promise<TemplateVariables | null> {
  const [shop, customer] = await Promise.all([
    db.shop.findUniqueOrThrow({ where: { id: shopId } }),
    db.customer.findFirst({
      where: { id: customerId, shopId, redactedAt: null },
      include: { loyaltyMembers: { where: { shopId }, take: 1 } },
    }),
  ]);
  if (!customer) return null;
  const sample = sampleVariables(locale);
  const member = customer.loyaltyMembers[0];
  return {
    ...sample,
    customer: {
      first_name: customer.firstName ?? "",
      last_name: customer.lastName ?? "",
      email: customer.email ?? "",
      locale: customer.locale ?? locale,
    },
    shop: { name: shop.name ?? shop.domain, url: `https://${shop.domain}` },
    points: {
      balance: fromStoredInteger(member?.pointsBalance ?? 0),
      pending: fromStoredInteger(member?.pendingPoints ?? 0),
    },
  };
}

export interface TemplateProblemView {
  field: string;
  message: string;
  line: number | null;
}

export type PreviewResult =
  | { ok: true; locale: TemplateLocale; content: MessageContent }
  | { ok: false; problems: TemplateProblemView[] };

export class PreviewCustomerNotFoundError extends Error {}

/** Only the chosen language version, so the preview shows exactly that language. */
function onlyLocale(template: MessageTemplate, locale: TemplateLocale): MessageTemplate | null {
  const version = template.versions[locale];
  return version ? { versions: { [locale]: version } } : null;
}

/**
 * The message as one language version renders on sample data, or on a real customer's profile; a
 * template that does not parse or render gives its problems with the field and the line.
 */
export async function previewFlowTemplate(
  db: Database,
  shopId: string,
  input: { template: unknown; locale: TemplateLocale; customerId?: string | null },
): Promise<PreviewResult> {
  const problems = validateMessageTemplate(input.template);
  if (problems.length > 0) return { ok: false, problems };
  const template = onlyLocale(input.template as MessageTemplate, input.locale);
  if (!template)
    return {
      ok: false,
      problems: [{ field: input.locale, message: "has no version in this language", line: null }],
    };
  let variables = sampleVariables(input.locale);
  if (input.customerId) {
    const real = await customerVariables(db, shopId, input.customerId, input.locale);
    if (!real) throw new PreviewCustomerNotFoundError(`customer ${input.customerId} not found in this shop`);
    variables = real;
  }
  try {
    const content = await composeMessage(template, variables, input.locale);
    return { ok: true, locale: input.locale, content };
  } catch (error) {
    if (error instanceof TemplateError)
      return {
        ok: false,
        problems: error.problems.map((problem) => ({
          field: input.locale,
          message: problem.message,
          line: problem.line,
        })),
      };
    throw error;
  }
}

export class TestSendError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "TestSendError";
  }
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const phonePattern = /^\+[1-9]\d{6,14}$/;

/**
 * Sends the step's message in one language to an address or phone the merchant typed, through the
 * real outbox (so the shop's sender and providers are used). It is a transactional message without
 * a flow: it never counts in a flow's results and is not held by quiet hours or the frequency cap.
 */
export async function testSendFlowMessage(
  db: Database,
  input: {
    shopId: string;
    template: unknown;
    locale: TemplateLocale;
    to: string;
    channels?: readonly Channel[];
    now: Date;
  },
): Promise<{ messageId: string; channel: Channel }> {
  const typed = input.to.trim();
  const isEmail = emailPattern.test(typed);
  const to = isEmail ? typed : typed.replace(/[\s-]/g, "");
  if (!isEmail && !phonePattern.test(to))
    throw new TestSendError("to", "is neither an e-mail address nor a phone number such as +420601234567");
  const preview = await previewFlowTemplate(db, input.shopId, {
    template: input.template,
    locale: input.locale,
  });
  if (!preview.ok)
    throw new TestSendError("template", preview.problems.map((p) => `${p.field}: ${p.message}`).join("; "));
  const wanted: Channel[] = isEmail
    ? ["email"]
    : (input.channels ?? channels).filter((channel): channel is Channel => channel !== "email");
  const usable = wanted.filter((channel) => preview.content[channel] !== undefined);
  const channel = usable[0];
  if (!channel)
    throw new TestSendError(
      "to",
      isEmail
        ? "this message has no e-mail version to send"
        : "this message has no SMS or WhatsApp version to send",
    );
  const shopifyId = `${testRecipientPrefix}${to.toLowerCase()}`;
  const recipient = await db.customer.upsert({
    where: { shopId_shopifyId: { shopId: input.shopId, shopifyId } },
    create: {
      shopId: input.shopId,
      shopifyId,
      email: isEmail ? to : null,
      phone: isEmail ? null : to,
      firstName: sampleVariables(input.locale).customer.first_name,
      locale: input.locale,
      tags: "stayloop-test-recipient",
    },
    update: {},
  });
  const id = newMessageId();
  const { message } = await enqueueMessage(db, {
    id,
    shopId: input.shopId,
    customerId: recipient.id,
    idempotencyKey: `test-send:${id}`,
    flowId: null,
    purpose: "transactional",
    content: preview.content,
    channelOrder: usable,
    notBefore: input.now,
  });
  return { messageId: message.id, channel };
}

export const editorLocales = templateLocales;

/** The periods the Flows pages offer, in days back from now. */
export const flowPeriods = ["7", "30", "90", "365"] as const;
export type FlowPeriod = (typeof flowPeriods)[number];

export function flowPeriodOf(value: string | null): FlowPeriod | null {
  if (value === null || value === "") return "30";
  return (flowPeriods as readonly string[]).includes(value) ? (value as FlowPeriod) : null;
}

export function periodOfDays(days: FlowPeriod, now: Date): Period {
  return { from: new Date(now.getTime() - Number(days) * 86_400_000), to: now };
}
