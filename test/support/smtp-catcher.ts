// A real SMTP server on 127.0.0.1 for tests and the demo: it keeps every message it receives,
// parsed with mailparser, and can answer 550 (or 451, "try later") for chosen recipients.
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerError } from "smtp-server";

export interface CaughtEmail {
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpCatcher {
  host: string;
  port: number;
  /** smtp://127.0.0.1:port */
  url: string;
  /** Every accepted message, in arrival order. */
  messages: CaughtEmail[];
  /** Resolves once at least `count` messages have arrived (default timeout 5 s). */
  waitForMessages(count: number, timeoutMs?: number): Promise<CaughtEmail[]>;
  close(): Promise<void>;
}

export interface SmtpCatcherOptions {
  /** Recipients answered with 550 (mailbox unavailable, permanent). */
  rejectRecipients?: RegExp;
  /** Recipients answered with 451 (try again later, temporary). */
  deferRecipients?: RegExp;
}

export async function startSmtpCatcher(options: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
  const messages: CaughtEmail[] = [];
  const waiters = new Set<() => void>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipients?.test(address.address)) {
        const error: SMTPServerError = new Error(`Mailbox unavailable: ${address.address}`);
        error.responseCode = 550;
        callback(error);
        return;
      }
      if (options.deferRecipients?.test(address.address)) {
        const error: SMTPServerError = new Error(`Try again later: ${address.address}`);
        error.responseCode = 451;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error: Error) => callback(error));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            const from = session.envelope.mailFrom;
            messages.push({
              envelope: {
                from: from === false ? "" : from.address,
                to: session.envelope.rcptTo.map((recipient) => recipient.address),
              },
              raw: raw.toString("utf8"),
              parsed,
            });
            // Recorded before the client hears "250", so a resolved send is already in `messages`.
            callback();
            for (const wake of waiters) wake();
          },
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const address = server.server.address();
  if (address === null || typeof address === "string") {
    throw new Error("The SMTP catcher is not listening on a TCP port");
  }
  const host = "127.0.0.1";
  const port = address.port;

  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    messages,
    waitForMessages(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Expected ${count} emails within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
