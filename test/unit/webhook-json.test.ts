import { describe, expect, it } from "vitest";
import { parseWebhookJson } from "../../app/events/payloads";

describe("parseWebhookJson", () => {
  it("keeps 64-bit ids exact, wherever they stand", () => {
    const parsed = parseWebhookJson(
      '{"id": 820982911946154508, "orders_to_redact": [820982911946154508,450789469], "customer": {"id":207119551}}',
    );
    expect(parsed).toEqual({
      id: "820982911946154508",
      orders_to_redact: ["820982911946154508", 450789469],
      customer: { id: 207119551 },
    });
  });

  it("leaves strings, decimals and short numbers alone", () => {
    const text = '{"note": "order 820982911946154508 \\"quoted\\"", "total": 1234567890123456.5, "qty": 3}';
    expect(parseWebhookJson(text)).toEqual(JSON.parse(text));
  });

  it("still rejects malformed JSON", () => {
    expect(() => parseWebhookJson('{"id": 8209829119461545080')).toThrow(SyntaxError);
  });
});
