// All time comes from a Clock (ARCHITECTURE principle 3): tests and the demo move it forward.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
