// Onboarding on Home (issue 18): the steps a new shop takes before Stayloop works for it, each
// detected from the shop's own state rather than ticked by hand — the theme app embed switched on
// (read from the live theme's settings through the Admin API), a sender e-mail set, a flow live,
// the loyalty program on. The checklist is shown until every step is done.
import type { Database } from "../db/client";

export const onboardingSteps = ["themeEmbed", "sender", "firstFlow", "loyalty"] as const;
export type OnboardingStep = (typeof onboardingSteps)[number];

export interface OnboardingStatus {
  steps: { step: OnboardingStep; done: boolean }[];
  /** The theme could not be read (no offline session, Shopify unreachable): the step shows as open. */
  themeUnknown: boolean;
  complete: boolean;
}

/**
 * The shop's onboarding. `themeEmbedEnabled` reads the live theme (app/shopify/theme-embed.ts); a
 * failure to read it leaves that step open and is reported as `themeUnknown`.
 */
export async function onboardingStatus(
  db: Database,
  shopId: string,
  themeEmbedEnabled: () => Promise<boolean>,
): Promise<OnboardingStatus> {
  const [settings, liveFlow, program, embed] = await Promise.all([
    db.messagingSettings.findUnique({ where: { shopId }, select: { fromEmail: true } }),
    db.flow.findFirst({ where: { shopId, status: "live" }, select: { id: true } }),
    db.loyaltyProgram.findUnique({ where: { shopId }, select: { enabled: true } }),
    themeEmbedEnabled().then(
      (enabled) => ({ enabled, unknown: false }),
      () => ({ enabled: false, unknown: true }),
    ),
  ]);
  const done: Record<OnboardingStep, boolean> = {
    themeEmbed: embed.enabled,
    sender: Boolean(settings?.fromEmail),
    firstFlow: liveFlow !== null,
    loyalty: program?.enabled === true,
  };
  const steps = onboardingSteps.map((step) => ({ step, done: done[step] }));
  return { steps, themeUnknown: embed.unknown, complete: steps.every((step) => step.done) };
}
