// The units the truth counts in, shared by every table family: times in Unix ms, money in integer
// cents per currency, buckets by flooring (minutes in UTC, hours and days in the site's time zone),
// and the pages an event's URL names.
import type { PurchaseEvent } from "../../contract/mod.ts";
import { wallClockMs } from "../../lib/zone_clock.ts";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Money per currency, in cents. */
export type Cents = Record<string, number>;
/** A table's row as the truth writes it. */
export type Row = Record<string, unknown>;

export const floorTo = (ms: number, unit: number): number => Math.floor(ms / unit) * unit;
export const cents = (amount: number): number => Math.round(amount * 100);
export const lineCents = (i: { price: number; quantity: number }): number => cents(i.price) * i.quantity;
export const orderUnits = (p: PurchaseEvent): number => p.items.reduce((s, i) => s + i.quantity, 0);
/** Half away from zero to the cent, as Decimal rounding does. */
export const aovCents = (total: number, n: number): number => Math.floor((2 * total + n) / (2 * n));
export const ratio = (a: number, b: number): number => b === 0 ? 0 : a / b;
export const addCents = (m: Cents, k: string, v: number): Cents => (m[k] = (m[k] ?? 0) + v, m);

/** The wall clock of the time zone at `t`, read as if it were UTC, in ms (Intl, not ClickHouse's tables). */
const wallClock = (t: number, timeZone: string): number => wallClockMs(t, timeZone) + (t - floorTo(t, 1000));

/** The instant the local hour or day holding `t` began, at the offset in force at `t`. */
function localStart(t: number, timeZone: string, unit: number): number {
  const offset = wallClock(t, timeZone) - t;
  return floorTo(t + offset, unit) - offset;
}

/**
 * The instant the local hour holding `t` began: hours are the site's, so in a zone half an hour
 * off UTC (Australia/Adelaide) they begin at :30 UTC.
 */
export const localHour = (t: number, timeZone: string): number => localStart(t, timeZone, HOUR);
/** The instant the site's day holding `t` began (Sydney's at 13:00 or 14:00 UTC the day before). */
export const localMidnight = (t: number, timeZone: string): number => localStart(t, timeZone, DAY);

/** The site's calendar day holding `t`, as that date's UTC midnight in ms (how a Date reads back). */
export const localDay = (t: number, timeZone: string): number => floorTo(wallClock(t, timeZone), DAY);
export const pathOf = (url: string): string => new URL(url).pathname;
export const domainOf = (url: string): string =>
  url === "" ? "(direct)" : new URL(url).hostname.replace(/^www\./, "");

export function groupBy<T>(items: Iterable<T>, key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
