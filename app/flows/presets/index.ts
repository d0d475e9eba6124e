// The flow library (R-CART … R-RESCUE): every preset the merchant can enable and edit, each off
// until they do. A preset is data — a definition built from its documented options — and
// presetDefinition() is the one way to get a checked definition from it.
import { parseFlowDefinition, type FlowDefinition } from "../definition";
import { abandonedCheckout } from "./abandoned-checkout";
import { browseAbandonment } from "./browse-abandonment";
import { deliveryAndNps } from "./delivery-and-nps";
import { loyaltyPointsExpiring, loyaltyRewardAffordable, loyaltyTierReached } from "./loyalty-moments";
import { birthday, purchaseAnniversary } from "./occasions";
import { postPurchase } from "./post-purchase";
import { resolveOptions, type FlowPreset, type PresetSource } from "./preset";
import { replenishment } from "./replenishment";
import { rescueCancelledOrder, rescueDetractor } from "./rescue";
import { welcome } from "./welcome";
import { winBack } from "./win-back";

export type { FlowPreset, PresetCategory, PresetOption, Localized } from "./preset";
export { PresetOptionError } from "./preset";
export { whatsAppTemplates, type WhatsAppTemplateText } from "./whatsapp-templates";

const sources: readonly PresetSource[] = [
  abandonedCheckout,
  browseAbandonment,
  welcome,
  postPurchase,
  deliveryAndNps,
  replenishment,
  winBack,
  loyaltyTierReached,
  loyaltyPointsExpiring,
  loyaltyRewardAffordable,
  birthday,
  purchaseAnniversary,
  rescueDetractor,
  rescueCancelledOrder,
];

const sourcesById = new Map(sources.map((source) => [source.id, source]));

function presetOf(source: PresetSource): FlowPreset {
  const definition = source.build(resolveOptions(source));
  return {
    id: source.id,
    category: source.category,
    trigger: definition.trigger.event,
    name: source.name,
    description: source.description,
    options: source.options,
    definition,
  };
}

/** Every preset, in the order the admin lists them, with its default definition. */
export const flowPresets: FlowPreset[] = sources.map(presetOf);

const presetsById = new Map(flowPresets.map((preset) => [preset.id, preset]));

export function presetById(id: string): FlowPreset | undefined {
  return presetsById.get(id);
}

/**
 * The preset's definition with these options applied, parsed and checked. Throws
 * PresetOptionError for an unknown option or a value out of range, and an Error for an unknown id.
 */
export function presetDefinition(
  id: string,
  options: Readonly<Record<string, unknown>> = {},
): FlowDefinition {
  const source = sourcesById.get(id);
  if (!source)
    throw new Error(`unknown flow preset "${id}" (presets: ${[...sourcesById.keys()].join(", ")})`);
  return parseFlowDefinition(source.build(resolveOptions(source, options)));
}
