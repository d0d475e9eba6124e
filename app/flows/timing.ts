// When a wait step ends: after a duration, or at the next given time of day (on given weekdays) in
// the recipient's time zone or the shop's. Calendar arithmetic is done on the zone's wall clock, so
// DST changes neither skip nor double a day: a time that does not exist that night (spring forward)
// becomes the first instant after the gap; a time that occurs twice (fall back) its first occurrence.
import { endOfGap, instantsForWallTime, wallMsAt } from "../messaging/send-rules";
import type { WaitStep } from "./definition";

const minuteMs = 60_000;
const dayMs = 86_400_000;

/** The zone a "recipient" wait uses: the customer's when known, else the shop's. */
export function waitZone(step: WaitStep, customerZone: string | null, shopZone: string): string {
  if (step.until?.zone === "shop") return shopZone;
  return customerZone && isTimeZone(customerZone) ? customerZone : shopZone;
}

const knownZones = new Map<string, boolean>();

/** Whether the runtime knows this IANA zone (a customer's zone may be anything a source sent). */
function isTimeZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      known = zone.trim() !== "";
    } catch {
      known = false;
    }
    if (knownZones.size > 1_000) knownZones.clear();
    knownZones.set(zone, known);
  }
  return known;
}

/** The instant a wait step that starts at `now` ends (always after `now`). */
export function waitEndsAt(step: WaitStep, now: Date, zone: string): Date {
  if (step.minutes !== undefined) return new Date(now.getTime() + step.minutes * minuteMs);
  const until = step.until;
  if (!until) throw new Error(`wait step "${step.id}" has neither minutes nor until`);
  const [hours, minutes] = until.time.split(":").map(Number) as [number, number];
  const timeOfDay = hours * 3_600_000 + minutes * minuteMs;
  const today = Math.floor(wallMsAt(now.getTime(), zone) / dayMs) * dayMs;
  for (let day = 0; day <= 8; day += 1) {
    const wall = today + day * dayMs + timeOfDay;
    // ISO weekday of that wall-clock date: 1 = Monday … 7 = Sunday.
    const weekday = ((new Date(wall).getUTCDay() + 6) % 7) + 1;
    if (until.weekdays && !until.weekdays.includes(weekday)) continue;
    const instant = instantsForWallTime(wall, zone)[0] ?? endOfGap(wall, zone);
    if (instant > now.getTime()) return new Date(instant);
  }
  throw new Error(`wait step "${step.id}" found no day to end on`);
}
