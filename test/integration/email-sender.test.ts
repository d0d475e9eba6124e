// The SMTP email sender against a real SMTP server (the catcher): what arrives in the MIME
// message, how 550 and 451 recipient rejections are reported, and that a connection failure is
// not mistaken for a rejection.
import { createServer } from "node:net";
import type { HeaderLines } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSmtpEmailSender, parseSmtpUrl } from "../../app/messaging/email-sender";
import { ProviderRejectedError, type OutgoingEmail } from "../../app/messaging/providers";
import { unsubscribeHeaders, unsubscribeUrl } from "../../app/messaging/tracking-links";
import { startSmtpCatcher, type SmtpCatcher } from "../support/smtp-catcher";

const secret = "integration-secret-0123456789";

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  const unsubscribe = unsubscribeUrl("https://app.stayloop.test", secret, "msg_7");
  return {
    to: "jana.novakova@example.cz",
    from: "Kolo Shop <hello@kolo-shop.example>",
    replyTo: "support@kolo-shop.example",
    subject: "Zapomněli jste něco? 🛒",
    html: `<html><body><p>Váš košík na vás čeká.</p><a href="https://kolo-shop.example/cart">Do košíku</a></body></html>`,
    text: "Váš košík na vás čeká: https://kolo-shop.example/cart",
    headers: unsubscribeHeaders(unsubscribe),
    idempotencyKey: "shop:kolo/flow:abandoned-cart/msg:7",
    ...overrides,
  };
}

function headerLine(lines: HeaderLines, key: string): string | undefined {
  return lines.find((line) => line.key === key)?.line;
}

describe("SMTP email sender", () => {
  let catcher: SmtpCatcher;

  beforeAll(async () => {
    catcher = await startSmtpCatcher({ rejectRecipients: /^gone@/, deferRecipients: /^busy@/ });
  });
  afterAll(async () => {
    await catcher.close();
  });

  it("delivers text and HTML parts, headers, Reply-To and a Message-ID from the idempotency key", async () => {
    const sender = createSmtpEmailSender(parseSmtpUrl(catcher.url));
    const message = email();
    const before = catcher.messages.length;
    try {
      const acceptance = await sender.send(message);
      expect(sender.dedupesRepeats).toBe(false);
      expect(acceptance.providerMessageId).toBe(
        "<shop=3Akolo=2Fflow=3Aabandoned-cart=2Fmsg=3A7@stayloop.mail>",
      );

      const [caught] = (await catcher.waitForMessages(before + 1)).slice(before);
      if (caught === undefined) throw new Error("no message caught");
      const { parsed, envelope } = caught;

      expect(envelope).toEqual({ from: "hello@kolo-shop.example", to: ["jana.novakova@example.cz"] });
      expect(parsed.subject).toBe("Zapomněli jste něco? 🛒");
      expect(parsed.text?.trim()).toBe(message.text);
      expect(parsed.html).toBe(message.html);
      expect(caught.raw).toMatch(/Content-Type: multipart\/alternative/i);
      expect(caught.raw).toMatch(/Content-Type: text\/plain/i);
      expect(caught.raw).toMatch(/Content-Type: text\/html/i);

      expect(parsed.from?.value).toEqual([{ address: "hello@kolo-shop.example", name: "Kolo Shop" }]);
      const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
      expect(to.flatMap((address) => address?.value.map((value) => value.address))).toEqual([
        "jana.novakova@example.cz",
      ]);
      expect(parsed.replyTo?.value.map((value) => value.address)).toEqual(["support@kolo-shop.example"]);

      expect(parsed.messageId).toBe(acceptance.providerMessageId);
      expect(parsed.messageId).toContain("shop=3Akolo=2Fflow=3Aabandoned-cart=2Fmsg=3A7");

      // The raw header lines, unfolded: the exact values a mailbox provider reads.
      const unfold = (line: string | undefined) => line?.replace(/\r?\n[ \t]+/g, " ");
      expect(unfold(headerLine(parsed.headerLines, "list-unsubscribe"))).toBe(
        `List-Unsubscribe: ${message.headers["List-Unsubscribe"]}`,
      );
      expect(headerLine(parsed.headerLines, "list-unsubscribe-post")).toBe(
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
      );
    } finally {
      sender.close();
    }
  });

  it("reports a 550 recipient rejection as a permanent ProviderRejectedError and delivers nothing", async () => {
    const sender = createSmtpEmailSender(parseSmtpUrl(catcher.url));
    const before = catcher.messages.length;
    try {
      const error: unknown = await sender.send(email({ to: "gone@example.cz" })).then(
        () => null,
        (rejection: unknown) => rejection,
      );
      expect(error).toBeInstanceOf(ProviderRejectedError);
      expect((error as ProviderRejectedError).permanent).toBe(true);
      expect((error as ProviderRejectedError).message).toMatch(/550/);
      expect(catcher.messages.length).toBe(before);

      // The same sender still delivers to an address the server accepts.
      await sender.send(email({ to: "still.here@example.cz" }));
      const [caught] = (await catcher.waitForMessages(before + 1)).slice(before);
      expect(caught?.envelope.to).toEqual(["still.here@example.cz"]);
    } finally {
      sender.close();
    }
  });

  it("reports a 451 recipient deferral as a temporary ProviderRejectedError", async () => {
    const sender = createSmtpEmailSender(parseSmtpUrl(catcher.url));
    const before = catcher.messages.length;
    try {
      const error: unknown = await sender.send(email({ to: "busy@example.cz" })).then(
        () => null,
        (rejection: unknown) => rejection,
      );
      expect(error).toBeInstanceOf(ProviderRejectedError);
      expect((error as ProviderRejectedError).permanent).toBe(false);
      expect((error as ProviderRejectedError).message).toMatch(/451/);
      expect(catcher.messages.length).toBe(before);
    } finally {
      sender.close();
    }
  });

  it("rethrows a connection failure as it is, not as a ProviderRejectedError", async () => {
    // A port that was just free: nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const address = probe.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const sender = createSmtpEmailSender({
      host: "127.0.0.1",
      port: address.port,
      secure: false,
      requireTls: false,
    });
    try {
      const error: unknown = await sender.send(email()).then(
        () => null,
        (rejection: unknown) => rejection,
      );
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(ProviderRejectedError);
      expect((error as Error & { code?: string }).code).toMatch(/ECONNECTION|ESOCKET|ECONNREFUSED/);
    } finally {
      sender.close();
    }
  });
});
