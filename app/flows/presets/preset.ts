// What a flow preset is (R-FLOW library): a ready flow definition as data, with its name and a
// one-sentence "what it does and why" in every admin language, and the few knobs a merchant may
// set before enabling it (documented, range-checked). Options only change the definition that is
// built; everything else about a preset is plain data the merchant edits afterwards.
import type { z } from "zod";
import type { flowDefinitionSchema, stepSchema, TriggerEvent } from "../definition";

/** A text in every language the admin and the templates speak. */
export interface Localized {
  en: string;
  cs: string;
}

export const presetCategories = [
  "cart",
  "browse",
  "welcome",
  "post_purchase",
  "replenishment",
  "win_back",
  "loyalty",
  "occasion",
  "rescue",
] as const;
export type PresetCategory = (typeof presetCategories)[number];

/** A definition as written (defaults of the schema may be left out). */
export type FlowDefinitionInput = z.input<typeof flowDefinitionSchema>;
export type FlowStepInput = z.input<typeof stepSchema>;

interface OptionBase {
  /** camelCase, as passed to presetDefinition. */
  key: string;
  label: Localized;
  /** What changes when the merchant sets it. */
  help: Localized;
}

export type PresetOption =
  | (OptionBase & {
      kind: "integer";
      unit: "minutes" | "days" | "percent";
      min: number;
      max: number;
      default: number;
    })
  | (OptionBase & { kind: "boolean"; default: boolean });

export type PresetOptionValue = number | boolean;
export type PresetOptionValues = Readonly<Record<string, PresetOptionValue>>;

export interface FlowPreset {
  /** Stable, kebab-case: flows created from a preset remember it. */
  id: string;
  category: PresetCategory;
  /** The event that starts it with the default options. */
  trigger: TriggerEvent;
  name: Localized;
  /** One sentence: what it does and why (shown in the admin). */
  description: Localized;
  options: readonly PresetOption[];
  /** The definition with every option at its default. */
  definition: FlowDefinitionInput;
}

/** A preset as its module writes it: the definition is built from resolved option values. */
export interface PresetSource extends Omit<FlowPreset, "definition" | "trigger"> {
  build(options: PresetOptionValues): FlowDefinitionInput;
}

/** An option value the preset does not accept; the message names the option and the allowed range. */
export class PresetOptionError extends Error {
  constructor(
    readonly presetId: string,
    message: string,
  ) {
    super(`preset "${presetId}": ${message}`);
    this.name = "PresetOptionError";
  }
}

/** The options with defaults filled in; throws PresetOptionError for an unknown key or a bad value. */
export function resolveOptions(
  preset: Pick<PresetSource, "id" | "options">,
  given: Readonly<Record<string, unknown>> = {},
): PresetOptionValues {
  const known = new Map(preset.options.map((option) => [option.key, option]));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) {
      const allowed = preset.options.map((option) => option.key).join(", ") || "none";
      throw new PresetOptionError(preset.id, `unknown option "${key}" (options: ${allowed})`);
    }
  }
  const resolved: Record<string, PresetOptionValue> = {};
  for (const option of preset.options) {
    const value = given[option.key];
    if (value === undefined) {
      resolved[option.key] = option.default;
    } else if (option.kind === "boolean") {
      if (typeof value !== "boolean")
        throw new PresetOptionError(
          preset.id,
          `${option.key} must be true or false (got ${JSON.stringify(value)})`,
        );
      resolved[option.key] = value;
    } else {
      if (typeof value !== "number" || !Number.isInteger(value) || value < option.min || value > option.max)
        throw new PresetOptionError(
          preset.id,
          `${option.key} must be a whole number of ${option.unit} from ${option.min} to ${option.max} (got ${JSON.stringify(value)})`,
        );
      resolved[option.key] = value;
    }
  }
  return resolved;
}

/** A resolved integer option (the key is the preset's own, so a miss is a programming error). */
export function integerOption(values: PresetOptionValues, key: string): number {
  const value = values[key];
  if (typeof value !== "number") throw new Error(`option ${key} is not a number`);
  return value;
}

export function booleanOption(values: PresetOptionValues, key: string): boolean {
  const value = values[key];
  if (typeof value !== "boolean") throw new Error(`option ${key} is not a boolean`);
  return value;
}

export const minutesPerDay = 24 * 60;

/** The knobs of an optional discount (keys `discount`, `discountPercent`, `discountExpiryDays`). */
export function incentiveOptions(defaults: {
  on: boolean;
  percent: number;
  days: number;
  /** What turning it on does, when more specific than "a code in the message". */
  help?: Localized;
}): PresetOption[] {
  return [
    {
      key: "discount",
      kind: "boolean",
      default: defaults.on,
      label: { en: "Include a discount", cs: "Přidat slevu" },
      help: defaults.help ?? {
        en: "Creates a unique single-use code for the customer and shows it in the message.",
        cs: "Vytvoří pro zákazníka jedinečný jednorázový kód a ukáže ho ve zprávě.",
      },
    },
    {
      key: "discountPercent",
      kind: "integer",
      unit: "percent",
      min: 5,
      max: 50,
      default: defaults.percent,
      label: { en: "Discount", cs: "Výše slevy" },
      help: { en: "Percent off the order.", cs: "Sleva z objednávky v procentech." },
    },
    {
      key: "discountExpiryDays",
      kind: "integer",
      unit: "days",
      min: 1,
      max: 90,
      default: defaults.days,
      label: { en: "Code valid for", cs: "Platnost kódu" },
      help: { en: "Days the code can be used.", cs: "Počet dní, po které lze kód použít." },
    },
  ];
}

export interface Incentive {
  percentOff: number;
  days: number;
}

/** The incentive the options ask for, or null when the discount is off. */
export function incentiveOf(options: PresetOptionValues): Incentive | null {
  if (!booleanOption(options, "discount")) return null;
  return {
    percentOff: integerOption(options, "discountPercent"),
    days: integerOption(options, "discountExpiryDays"),
  };
}

/**
 * A discount step leading to `next` when there is an incentive, else nothing; returns the steps
 * and the id to enter them by.
 */
export function incentiveSteps(
  incentive: Incentive | null,
  step: { id: string; prefix: string; next: string },
): { entry: string; steps: FlowStepInput[] } {
  if (!incentive) return { entry: step.next, steps: [] };
  return {
    entry: step.id,
    steps: [
      {
        id: step.id,
        type: "discount",
        benefit: { kind: "percentage", percentOff: incentive.percentOff },
        expiresAfterDays: incentive.days,
        prefix: step.prefix,
        minimumSubtotalMinor: null,
        next: step.next,
      },
    ],
  };
}
