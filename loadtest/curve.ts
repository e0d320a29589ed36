// Time-of-day traffic curves: a multiplier on the mean arrival rate, averaging 1 over a day.

export type Curve = (ms: number) => number;

export const flatCurve: Curve = () => 1;

// Relative traffic per hour of a European shop: a night trough, a lunch bump and an evening peak.
const HOURLY = [
  0.35,
  0.22,
  0.15,
  0.12,
  0.12,
  0.18,
  0.35,
  0.6,
  0.85,
  1.0,
  1.1,
  1.2,
  1.3,
  1.25,
  1.15,
  1.1,
  1.15,
  1.3,
  1.5,
  1.75,
  1.9,
  1.8,
  1.35,
  0.75,
];
const MEAN = HOURLY.reduce((a, b) => a + b, 0) / HOURLY.length;
const HOUR = 3_600_000;

/** A daily curve in local time `utcOffsetHours` from UTC, linearly interpolated between hours. */
export function dailyCurve(utcOffsetHours = 1): Curve {
  return (ms) => {
    const h = (((ms / HOUR + utcOffsetHours) % 24) + 24) % 24;
    const i = Math.floor(h);
    const frac = h - i;
    return (HOURLY[i] * (1 - frac) + HOURLY[(i + 1) % 24] * frac) / MEAN;
  };
}
