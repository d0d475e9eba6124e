import type { Clock } from "../../app/clock";

/** A clock tests move by hand: days pass in microseconds. */
export class ManualClock implements Clock {
  private current: Date;

  constructor(start: string | Date = "2026-11-23T12:00:00Z") {
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(milliseconds: number): void {
    this.current = new Date(this.current.getTime() + milliseconds);
  }
}
