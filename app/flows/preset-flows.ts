// Turning a preset of the flow library on in a shop (R-FLOW library): the preset's definition with
// the merchant's options becomes the shop's flow, named in the shop's language, and goes live. Turned
// on again, the existing flow of that name goes live as the merchant left it (their edits are kept).
import type { Flow } from "@prisma/client";
import type { Database } from "../db/client";
import { chooseLocale, templateLocales } from "../messaging/templates";
import { createFlow, setFlowStatus } from "./flows";
import { presetById, presetDefinition } from "./presets";

export class UnknownPresetError extends Error {}

export async function turnOnPreset(
  db: Database,
  input: {
    shopId: string;
    presetId: string;
    options?: Readonly<Record<string, unknown>>;
    staff: string;
    now: Date;
  },
): Promise<Flow> {
  const preset = presetById(input.presetId);
  if (!preset) throw new UnknownPresetError(`there is no flow preset "${input.presetId}"`);
  const definition = presetDefinition(input.presetId, input.options);
  const shop = await db.shop.findUniqueOrThrow({ where: { id: input.shopId } });
  const name = preset.name[chooseLocale(shop.locale, [...templateLocales], "en")];
  const existing = await db.flow.findFirst({
    where: { shopId: input.shopId, name, status: { not: "archived" } },
  });
  const flow =
    existing ??
    (await createFlow(db, { shopId: input.shopId, name, definition, staff: input.staff, now: input.now }));
  if (flow.status === "live") return flow;
  return setFlowStatus(db, {
    shopId: input.shopId,
    flowId: flow.id,
    status: "live",
    staff: input.staff,
    now: input.now,
  });
}
