// Days and months in the shop's time zone, numbered so that rollups can be keyed and compared as
// integers: day 0 is 1970-01-01 and month 0 is January 1970, both local to the zone. A period's
// boundaries are local midnights (R-ANA, docs/decisions/013-analytics.md).

const msPerDay = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone's wall-clock time at an instant, as if it were UTC (epoch ms, whole seconds kept). */
function wallClockMs(instantMs: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instantMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  // Sub-second part is the same in every zone.
  return wall + (((instantMs % 1000) + 1000) % 1000);
}

/** True when the runtime knows the zone. */
export function isKnownZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

// A zone's offset at the start and at the end of each UTC day, cached: where they agree, the offset
// holds for the whole day (zones change offset at most once a day), so recomputing a customer asks
// Intl only on the few days a zone changes its clocks.
const offsets = new Map<string, Map<number, number | null>>();

function offsetAt(instantMs: number, zone: string): number {
  let zoneOffsets = offsets.get(zone);
  if (!zoneOffsets) {
    zoneOffsets = new Map();
    offsets.set(zone, zoneOffsets);
  }
  const utcDay = Math.floor(instantMs / msPerDay);
  let offset = zoneOffsets.get(utcDay);
  if (offset === undefined) {
    const start = utcDay * msPerDay;
    const end = start + msPerDay - 1000;
    const atStart = wallClockMs(start, zone) - start;
    const atEnd = wallClockMs(end, zone) - end;
    offset = atStart === atEnd ? atStart : null;
    if (zoneOffsets.size > 100_000) zoneOffsets.clear();
    zoneOffsets.set(utcDay, offset);
  }
  return offset ?? wallClockMs(instantMs, zone) - instantMs;
}

/** The local day an instant falls on: day k when midnight(k) ≤ instant < midnight(k + 1). */
export function localDay(instantMs: number, zone: string): number {
  return Math.floor((instantMs + offsetAt(instantMs, zone)) / msPerDay);
}

/** The instant of the local midnight that starts day k (the first instant of the day, also on DST days). */
export function midnightOf(day: number, zone: string): number {
  const wall = day * msPerDay;
  // Offsets are within ±18 h: guess with the offset at the wall time, then correct once or twice.
  let guess = wall - (wallClockMs(wall, zone) - wall);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const offset = wallClockMs(guess, zone) - guess;
    const next = wall - offset;
    if (next === guess) break;
    guess = next;
  }
  // A midnight skipped by a DST change: the day starts at its first existing instant.
  while (localDay(guess, zone) < day) guess += 60_000;
  while (localDay(guess - 1, zone) >= day) guess -= 60_000;
  return guess;
}

/** Month number of a day: (year − 1970) × 12 + month index. */
export function monthOfDay(day: number): number {
  const date = new Date(day * msPerDay);
  return (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth();
}

/** The first day of a month. */
export function firstDayOfMonth(month: number): number {
  return Math.floor(Date.UTC(1970 + Math.floor(month / 12), ((month % 12) + 12) % 12, 1) / msPerDay);
}

/** "YYYY-MM-DD" of a day number. */
export function dayToIso(day: number): string {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

/** The day number of "YYYY-MM-DD" (already validated). */
export function isoToDay(iso: string): number {
  return Math.floor(Date.parse(`${iso}T00:00:00Z`) / msPerDay);
}

/** "YYYY-MM" of a month number. */
export function monthToIso(month: number): string {
  return dayToIso(firstDayOfMonth(month)).slice(0, 7);
}
