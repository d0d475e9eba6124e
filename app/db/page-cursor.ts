// Keyset pages for lists shown newest first (ordered by a time, then id, both descending): the
// cursor names the last row of a page, opaque to clients (base64url of [ISO time, id]).
export interface PageCursor {
  at: Date;
  id: string;
}

export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.at.toISOString(), cursor.id])).toString("base64url");
}

/** The cursor, or null when the text is not one encodePageCursor made. */
export function decodePageCursor(text: string): PageCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [at, id] = value as unknown[];
    if (typeof at !== "string" || typeof id !== "string" || id.length === 0 || id.length > 100) return null;
    const time = new Date(at);
    if (Number.isNaN(time.getTime()) || time.toISOString() !== at) return null;
    return { at: time, id };
  } catch {
    return null;
  }
}
