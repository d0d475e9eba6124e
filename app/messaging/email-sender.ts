// The email channel's provider: sends an outbox email over SMTP with nodemailer, reading the
// connection from an smtp:// or smtps:// URL. SMTP rejections become ProviderRejectedError
// (5xx permanent, 4xx retryable); connection failures are rethrown as they are, because whether
// the message went out is then unknown.
import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import {
  ProviderRejectedError,
  type EmailSender,
  type OutgoingEmail,
  type ProviderAcceptance,
} from "./providers";

export interface SmtpSettings {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (smtps://, usually port 465). */
  secure: boolean;
  /** Refuse to send unless the server upgrades the connection with STARTTLS. */
  requireTls: boolean;
  user?: string;
  password?: string;
}

export class SmtpSettingsError extends Error {
  override name = "SmtpSettingsError";
}

const defaultPorts = { smtp: 587, smtps: 465 } as const;

/**
 * Reads `smtp://user:pass@host:587` (STARTTLS when offered), `smtps://user:pass@host:465`
 * (implicit TLS) and an optional `?requireTls=true`. User name and password are percent-decoded.
 */
export function parseSmtpUrl(url: string): SmtpSettings {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new SmtpSettingsError("SMTP URL must start with smtp:// or smtps://");
  }
  if (scheme !== "smtp" && scheme !== "smtps") {
    throw new SmtpSettingsError(`SMTP URL scheme must be smtp or smtps, not "${scheme}"`);
  }
  if (!trimmed.slice(scheme.length + 1).startsWith("//")) {
    throw new SmtpSettingsError(`SMTP URL must look like ${scheme}://host:port`);
  }

  // Check host and port ourselves first: for those the URL parser only says "Invalid URL".
  const authority = /^[^:]+:\/\/([^/?#]*)/.exec(trimmed)?.[1] ?? "";
  const hostAndPort = authority.slice(authority.lastIndexOf("@") + 1);
  const [, hostText, portText] = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostAndPort) ?? [];
  if (hostText === undefined || hostText === "") {
    throw new SmtpSettingsError("SMTP URL has no host");
  }
  if (portText !== undefined && portText !== "") {
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      throw new SmtpSettingsError(`SMTP URL port must be a number from 1 to 65535, not "${portText}"`);
    }
  }

  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new SmtpSettingsError("SMTP URL is not a valid URL");
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") {
    throw new SmtpSettingsError("SMTP URL has no host");
  }
  if (parsed.pathname !== "" && parsed.pathname !== "/") {
    throw new SmtpSettingsError(`SMTP URL must not have a path ("${parsed.pathname}")`);
  }

  let requireTls = false;
  for (const [key, value] of parsed.searchParams) {
    if (key.toLowerCase() !== "requiretls") {
      throw new SmtpSettingsError(`SMTP URL has an unknown parameter "${key}" (only requireTls is known)`);
    }
    if (value !== "true" && value !== "false") {
      throw new SmtpSettingsError(`SMTP URL parameter requireTls must be true or false, not "${value}"`);
    }
    requireTls = value === "true";
  }

  const settings: SmtpSettings = {
    host,
    port: parsed.port === "" ? defaultPorts[scheme] : Number(parsed.port),
    secure: scheme === "smtps",
    requireTls,
  };
  const user = decode(parsed.username, "user name");
  const password = decode(parsed.password, "password");
  if (password !== "" && user === "") {
    throw new SmtpSettingsError("SMTP URL has a password but no user name");
  }
  if (user !== "") settings.user = user;
  if (password !== "") settings.password = password;
  return settings;
}

function decode(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new SmtpSettingsError(`SMTP URL ${what} is not correctly percent-encoded`);
  }
}

/**
 * The Message-ID's local part for an idempotency key. Characters other than letters, digits, "-"
 * and "_" become "=XX" (UTF-8 bytes in hex), so different keys never share an ID and ":" or "/"
 * cannot break the header. Very long keys are shortened with a hash of the whole key.
 */
export function messageIdForKey(idempotencyKey: string): string {
  let local = Array.from(Buffer.from(idempotencyKey, "utf8"), (byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9_-]/.test(char) ? char : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");
  if (local === "") local = "=";
  if (local.length > 200) {
    local = `${local.slice(0, 150)}.${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 40)}`;
  }
  return `<${local}@stayloop.mail>`;
}

interface SmtpErrorFields {
  code?: unknown;
  responseCode?: unknown;
  permanent?: unknown;
}

// Errors from steps before the message is offered (login, TLS): the message is certainly not
// sent but is not at fault either, so it is worth trying again once the setup is fixed.
const setupErrorCodes = new Set(["EAUTH", "ENOAUTH", "ETLS", "EREQUIRETLS", "ECONFIG"]);

function toProviderError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const fields = error as Error & SmtpErrorFields;
  const responseCode = typeof fields.responseCode === "number" ? fields.responseCode : undefined;
  if (responseCode === undefined || responseCode < 400 || responseCode >= 600) {
    // No SMTP rejection (refused connection, dropped socket, timeout, odd reply): outcome unknown.
    return error;
  }
  const code = typeof fields.code === "string" ? fields.code : undefined;
  // nodemailer classifies the reply itself (503 "bad sequence" is not permanent); fall back to the class.
  const permanent =
    code !== undefined && setupErrorCodes.has(code)
      ? false
      : typeof fields.permanent === "boolean"
        ? fields.permanent
        : responseCode >= 500;
  const rejected = new ProviderRejectedError(`SMTP ${responseCode}: ${error.message}`, permanent);
  rejected.cause = error;
  return rejected;
}

export function createSmtpEmailSender(
  settings: SmtpSettings,
  options: { tlsRejectUnauthorized?: boolean } = {},
): EmailSender & { close(): void } {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireTls,
    auth: settings.user !== undefined ? { user: settings.user, pass: settings.password ?? "" } : undefined,
    tls: { rejectUnauthorized: options.tlsRejectUnauthorized ?? true },
    // The defaults (2 minutes to connect, 10 minutes idle) would hold a worker far too long.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });

  return {
    dedupesRepeats: false,
    async send(message: OutgoingEmail): Promise<ProviderAcceptance> {
      const messageId = messageIdForKey(message.idempotencyKey);
      try {
        await transport.sendMail({
          from: message.from,
          to: message.to,
          replyTo: message.replyTo,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: message.headers,
          messageId,
        });
      } catch (error) {
        throw toProviderError(error);
      }
      return { providerMessageId: messageId };
    },
    close() {
      transport.close();
    },
  };
}
