// Whether the shop's live theme has Stayloop's app embed switched on: Shopify keeps app embeds in the
// main theme's config/settings_data.json, under current.blocks, each with a type naming the app's
// block ("shopify://apps/<app>/blocks/<handle>/<uuid>") and `disabled` when switched off. Read
// through the Admin API (scope read_themes).
import { z } from "zod";
import type { AdminClient } from "./admin-client";
import { mainThemeSettingsQuery } from "./admin-operations";

/** The app embed's block (extensions/loyalty-widget/blocks/loyalty-launcher.liquid, target body). */
export const appEmbedHandle = "loyalty-launcher";

/** The theme editor, opened on the app embeds with Stayloop's switched on for the merchant to save. */
export function themeEmbedDeepLink(shopDomain: string, apiKey: string): string {
  const store = shopDomain.replace(/\.myshopify\.com$/, "");
  return `https://admin.shopify.com/store/${encodeURIComponent(store)}/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(apiKey)}/${appEmbedHandle}`;
}

const responseSchema = z.object({
  themes: z.object({
    nodes: z.array(
      z.object({
        id: z.string(),
        files: z.object({
          nodes: z.array(
            z.object({
              filename: z.string(),
              body: z.object({ content: z.string().optional() }).passthrough().nullable(),
            }),
          ),
        }),
      }),
    ),
  }),
});

/** settings_data.json often starts with a comment Shopify writes; JSON.parse does not read comments. */
function withoutLeadingComment(text: string): string {
  return text.replace(/^\s*\/\*[\s\S]*?\*\//, "");
}

/** Whether settings_data.json has the app embed switched on. */
export function embedEnabledIn(settingsData: string, handle: string = appEmbedHandle): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(withoutLeadingComment(settingsData));
  } catch {
    return false;
  }
  const current = (parsed as { current?: unknown } | null)?.current;
  if (typeof current !== "object" || current === null) return false;
  const blocks = (current as { blocks?: unknown }).blocks;
  if (typeof blocks !== "object" || blocks === null) return false;
  return Object.values(blocks).some((block: unknown) => {
    if (typeof block !== "object" || block === null) return false;
    const { type, disabled } = block as { type?: unknown; disabled?: unknown };
    return typeof type === "string" && type.includes(`/blocks/${handle}/`) && disabled !== true;
  });
}

/** Reads the main theme's settings; false when there is no main theme or no settings file. */
export async function themeEmbedEnabled(adminClient: AdminClient): Promise<boolean> {
  const data = await adminClient.request(mainThemeSettingsQuery, { schema: responseSchema });
  const file = data.themes.nodes[0]?.files.nodes.find(
    (node) => node.filename === "config/settings_data.json",
  );
  const content = file?.body?.content;
  return typeof content === "string" && embedEnabledIn(content);
}
