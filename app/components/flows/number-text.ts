// Numbers in the editor's text fields: an empty field is not a number (NaN, refused on save with
// its field named), and a number that is not finite shows as an empty field.
export const numberOf = (text: string): number => (text.trim() === "" ? Number.NaN : Number(text));

export const textOf = (value: number | undefined | null): string =>
  value === undefined || value === null || !Number.isFinite(value) ? "" : String(value);
