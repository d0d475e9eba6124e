// Opt-out and opt-in keywords in inbound SMS / WhatsApp messages: a shopper who answers STOP (or
// the Czech ODHLÁSIT / ZRUŠIT) is unsubscribed from the channel; START / UNSTOP subscribes again.
//
// Only a whole-message keyword counts: "STOP", " stop ", "Stop." and "stop!" are opt-outs, but
// "please stop sending" or "don't stop" are not (they go to a human, not to the unsubscribe path).
// Matching is case-insensitive and accent-insensitive ("Odhlásit" = "ODHLASIT"); punctuation,
// symbols and emoji around the word are ignored, spaces or hyphens inside it are not ("OPT OUT"
// is not OPTOUT).

const stopKeywords = new Set([
  "STOP",
  "STOPALL",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
  "OPTOUT",
  "REVOKE",
  "ODHLASIT",
  "ZRUSIT",
]);

const startKeywords = new Set(["START", "UNSTOP"]);

/** Upper case, accents removed, surrounding whitespace / punctuation / symbols removed. */
function normalise(body: string): string {
  return body
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toUpperCase()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
}

/** Whether the whole message is an opt-out keyword (see the file comment for what counts). */
export function isStopKeyword(body: string): boolean {
  return stopKeywords.has(normalise(body));
}

/** Whether the whole message is an opt-in keyword: START or UNSTOP. */
export function isStartKeyword(body: string): boolean {
  return startKeywords.has(normalise(body));
}
