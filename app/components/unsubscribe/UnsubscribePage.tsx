// The shopper-facing unsubscribe page (R-MSG-4, RFC 8058), in English and Czech: a confirm button
// that POSTs back to the same signed link, or the confirmation once consent is withdrawn.
import type { Channel } from "../../messaging/channels";
import type { TemplateLocale } from "../../messaging/templates";

interface Words {
  confirmTitle: (shop: string) => string;
  confirmText: (shop: string, messages: string) => string;
  button: string;
  doneTitle: string;
  doneText: (shop: string, messages: string) => string;
  messages: Record<Channel, string>;
}

const words: Record<TemplateLocale, Words> = {
  en: {
    confirmTitle: (shop) => `Unsubscribe from ${shop}?`,
    confirmText: (shop, messages) =>
      `Press the button to stop marketing ${messages} from ${shop}. Order confirmations and other messages about your orders still reach you.`,
    button: "Unsubscribe",
    doneTitle: "You are unsubscribed",
    doneText: (shop, messages) =>
      `${shop} will not send you marketing ${messages} any more. Order confirmations and other messages about your orders still reach you.`,
    messages: { email: "e-mails", sms: "text messages", whatsapp: "WhatsApp messages" },
  },
  cs: {
    confirmTitle: (shop) => `Odhlásit odběr od ${shop}?`,
    confirmText: (shop, messages) =>
      `Stisknutím tlačítka přestanete dostávat marketingové ${messages} od ${shop}. Potvrzení objednávek a další zprávy o vašich objednávkách vám budou chodit dál.`,
    button: "Odhlásit odběr",
    doneTitle: "Odběr je odhlášen",
    doneText: (shop, messages) =>
      `${shop} vám už nebude posílat marketingové ${messages}. Potvrzení objednávek a další zprávy o vašich objednávkách vám budou chodit dál.`,
    messages: { email: "e-maily", sms: "SMS zprávy", whatsapp: "zprávy přes WhatsApp" },
  },
};

export interface UnsubscribePageProps {
  shopName: string;
  channel: Channel;
  locale: TemplateLocale;
  unsubscribed: boolean;
}

export function UnsubscribePage({ shopName, channel, locale, unsubscribed }: UnsubscribePageProps) {
  const text = words[locale];
  const messages = text.messages[channel];
  return (
    <main
      lang={locale}
      style={{ fontFamily: "system-ui, sans-serif", maxWidth: 480, margin: "64px auto", padding: 16 }}
    >
      {unsubscribed ? (
        <>
          <h1>{text.doneTitle}</h1>
          <p role="status">{text.doneText(shopName, messages)}</p>
        </>
      ) : (
        <>
          <h1 id="unsubscribe-title">{text.confirmTitle(shopName)}</h1>
          {/* A plain form: it works without JavaScript, and only this POST withdraws consent. */}
          <form method="post" aria-labelledby="unsubscribe-title">
            <p id="unsubscribe-explanation">{text.confirmText(shopName, messages)}</p>
            <button
              type="submit"
              name="confirm"
              value="unsubscribe"
              aria-describedby="unsubscribe-explanation"
              style={{ fontSize: "1rem", padding: "12px 24px", minHeight: 44, cursor: "pointer" }}
            >
              {text.button}
            </button>
          </form>
        </>
      )}
    </main>
  );
}
