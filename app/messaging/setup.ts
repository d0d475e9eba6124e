// Builds the outbox's providers from the messaging configuration (environment): a channel whose
// settings are missing has no provider, and the outbox passes over it to the next channel.
import type { Clock } from "../clock";
import type { MessagingConfig } from "../env.server";
import { createSmtpEmailSender, parseSmtpUrl } from "./email-sender";
import type { OutboxDependencies } from "./outbox";
import { createSmsSender } from "./sms-provider";
import { createWhatsAppSender } from "./whatsapp-provider";

export function outboxDependencies(config: MessagingConfig, clock: Clock): OutboxDependencies {
  return {
    clock,
    senders: {
      ...(config.smtpUrl ? { email: createSmtpEmailSender(parseSmtpUrl(config.smtpUrl)) } : {}),
      ...(config.sms ? { sms: createSmsSender(config.sms) } : {}),
      ...(config.whatsapp ? { whatsapp: createWhatsAppSender(config.whatsapp) } : {}),
    },
    links: { baseUrl: config.publicUrl, secret: config.linkSecret },
    defaultFrom: config.mailFrom,
  };
}
