// The admin's period presets, in whole days of the shop's time zone ([from, to), to excluded).
import { dayToIso, isoToDay } from "./calendar";

export const periodPresets = ["last30", "last90", "last365", "thisYear", "lastYear"] as const;
export type PeriodPreset = (typeof periodPresets)[number];

export function presetPeriod(preset: PeriodPreset, today: number): { from: string; to: string } {
  const year = Number(dayToIso(today).slice(0, 4));
  const range = (from: number, to: number) => ({ from: dayToIso(from), to: dayToIso(to) });
  switch (preset) {
    case "last30":
      return range(today - 29, today + 1);
    case "last90":
      return range(today - 89, today + 1);
    case "last365":
      return range(today - 364, today + 1);
    case "thisYear":
      return range(isoToDay(`${year}-01-01`), today + 1);
    case "lastYear":
      return range(isoToDay(`${year - 1}-01-01`), isoToDay(`${year}-01-01`));
  }
}
