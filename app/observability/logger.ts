// Structured logs (pino). Secrets never reach a log line: known secret fields are redacted.
import pino, { type Logger } from "pino";

export type { Logger };

export function createLogger(level: string, name = "stayloop"): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        "accessToken",
        "*.accessToken",
        "apiSecret",
        "*.apiSecret",
        "password",
        "*.password",
        "headers.authorization",
        'headers["x-shopify-hmac-sha256"]',
      ],
      censor: "[redacted]",
    },
  });
}
