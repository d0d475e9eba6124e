// Category (product type) and vendor affinity from a customer's order lines (R-CUS-3): each name's
// share of the units they bought in qualifying orders, largest first (top 5 each).
export interface AffinityLine {
  quantity: number;
  productType: string | null;
  vendor: string | null;
}

// Type aliases (not interfaces), so that they are JSON values for the Customer.affinities column.
export type Affinity = { name: string; share: number };

export type Affinities = { categories: Affinity[]; vendors: Affinity[] };

const topCount = 5;

function shares(lines: readonly AffinityLine[], nameOf: (line: AffinityLine) => string | null): Affinity[] {
  const units = new Map<string, number>();
  let total = 0;
  for (const line of lines) {
    const quantity = Math.max(0, line.quantity);
    total += quantity;
    const name = nameOf(line)?.trim();
    if (name) units.set(name, (units.get(name) ?? 0) + quantity);
  }
  if (total === 0) return [];
  return [...units]
    .map(([name, count]) => ({ name, share: Math.round((count / total) * 1000) / 1000 }))
    .sort((a, b) => b.share - a.share || a.name.localeCompare(b.name))
    .slice(0, topCount);
}

export function affinitiesOf(lines: readonly AffinityLine[]): Affinities {
  return {
    categories: shares(lines, (line) => line.productType),
    vendors: shares(lines, (line) => line.vendor),
  };
}
