// Reading the SMTP connection from its URL (smtp:// with STARTTLS, smtps:// with implicit TLS)
// and the Message-ID built from an outbox idempotency key.
import { describe, expect, it } from "vitest";
import { messageIdForKey, parseSmtpUrl, SmtpSettingsError } from "../../app/messaging/email-sender";

describe("parseSmtpUrl", () => {
  it("reads smtp:// with user, password and port", () => {
    expect(parseSmtpUrl("smtp://mailer:s3cret@mail.example.cz:587")).toEqual({
      host: "mail.example.cz",
      port: 587,
      secure: false,
      requireTls: false,
      user: "mailer",
      password: "s3cret",
    });
  });

  it("reads smtps:// as implicit TLS", () => {
    expect(parseSmtpUrl("smtps://mailer:pw@smtp.example.com:465")).toMatchObject({
      host: "smtp.example.com",
      port: 465,
      secure: true,
      requireTls: false,
    });
  });

  it("uses 587 for smtp:// and 465 for smtps:// without a port", () => {
    expect(parseSmtpUrl("smtp://mail.example.cz")).toEqual({
      host: "mail.example.cz",
      port: 587,
      secure: false,
      requireTls: false,
    });
    expect(parseSmtpUrl("smtps://mail.example.cz/").port).toBe(465);
  });

  it("reads ?requireTls=true and ?requireTls=false", () => {
    expect(parseSmtpUrl("smtp://mail.example.cz:587?requireTls=true").requireTls).toBe(true);
    expect(parseSmtpUrl("smtp://mail.example.cz:587/?requireTLS=true").requireTls).toBe(true);
    expect(parseSmtpUrl("smtp://mail.example.cz:587?requireTls=false").requireTls).toBe(false);
  });

  it("percent-decodes the user name and password", () => {
    const settings = parseSmtpUrl("smtp://apikey%40shop.cz:p%40ss%3Aw%2Ford@mail.example.cz:2525");
    expect(settings.user).toBe("apikey@shop.cz");
    expect(settings.password).toBe("p@ss:w/ord");
    expect(settings.port).toBe(2525);
  });

  it("keeps a user without a password, and reads IP hosts", () => {
    expect(parseSmtpUrl("smtp://relay@127.0.0.1:25")).toEqual({
      host: "127.0.0.1",
      port: 25,
      secure: false,
      requireTls: false,
      user: "relay",
    });
    expect(parseSmtpUrl("smtp://[::1]:2525").host).toBe("::1");
  });

  it.each([
    ["https://mail.example.cz", /scheme must be smtp or smtps, not "https"/],
    ["mail.example.cz:587", /scheme must be smtp or smtps, not "mail.example.cz"/],
    ["", /must start with smtp:\/\/ or smtps:\/\//],
    ["smtp:mail.example.cz", /must look like smtp:\/\/host:port/],
    ["smtp://", /no host/],
    ["smtp://user:pw@:587", /no host/],
    ["smtp://mail.example.cz:abc", /port must be a number from 1 to 65535, not "abc"/],
    ["smtp://mail.example.cz:0", /port must be a number from 1 to 65535, not "0"/],
    ["smtp://mail.example.cz:70000", /port must be a number from 1 to 65535, not "70000"/],
    ["smtp://mail.example.cz:-1", /port must be a number/],
    ["smtp://mail.example.cz:587/inbox", /must not have a path/],
    ["smtp://mail.example.cz:587?requireTls=yes", /requireTls must be true or false, not "yes"/],
    ["smtp://mail.example.cz:587?secure=true", /unknown parameter "secure"/],
    ["smtp://:pw@mail.example.cz", /password but no user name/],
    ["smtp://us%ZZer@mail.example.cz", /user name is not correctly percent-encoded/],
  ])("rejects %j with a clear SmtpSettingsError", (url, message) => {
    let caught: unknown;
    try {
      parseSmtpUrl(url);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SmtpSettingsError);
    expect((caught as Error).message).toMatch(message);
  });
});

describe("messageIdForKey", () => {
  it("encodes ':' and '/' and other characters as =XX so the ID stays a valid dot-atom", () => {
    expect(messageIdForKey("outbox:42/email")).toBe("<outbox=3A42=2Femail@stayloop.mail>");
    expect(messageIdForKey("a.b=c ž")).toBe("<a=2Eb=3Dc=20=C5=BE@stayloop.mail>");
  });

  it("gives different keys different IDs and the same key the same ID", () => {
    const keys = ["a:b", "a/b", "a=3Ab", "a_b", "a-b", "ab", "a.b", "A:B"];
    const ids = keys.map(messageIdForKey);
    expect(new Set(ids).size).toBe(keys.length);
    expect(messageIdForKey("a:b")).toBe(ids[0]);
  });

  it("shortens very long keys with a hash, still telling them apart", () => {
    const long = "k".repeat(500);
    const id = messageIdForKey(long);
    expect(id.length).toBeLessThan(220);
    expect(id).toMatch(/^<k{150}\.[0-9a-f]{40}@stayloop\.mail>$/);
    expect(messageIdForKey(`${long}x`)).not.toBe(id);
  });
});
