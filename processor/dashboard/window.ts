// What one refresh covers: a named range ending at the refresh's second, or whole days of the site's
// time zone picked by hand; the chart step that goes with its length; the previous period of the same length (for the
// KPIs' change); and the dashboard-wide filter (`?filter=dimension:value`). Parsed here, once, so the
// routes answer bad input with a code and a message and the panels get plain numbers.
import { localMidnightUtc } from "../site_zones.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const RANGES = {
  "15m": 15 * MINUTE,
  "1h": 60 * MINUTE,
  "24h": DAY,
  "7d": 7 * DAY,
  "30d": 30 * DAY,
} as const;
export type RangeName = keyof typeof RANGES;

/** Custom dates: at most this many days (the aggregates keep more, raw events 90 days by default). */
export const MAX_CUSTOM_DAYS = 92;

/** What `?filter=` may name: the dimensions of clickhouse/016_visits.sql's breakdown tables. */
export const FILTER_DIMENSIONS = [
  "page",
  "entry",
  "source",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "device",
  "browser",
  "os",
  "country",
] as const;
export type Filter = { dimension: typeof FILTER_DIMENSIONS[number]; value: string };

export type Window = {
  /** A range's name, or "custom" for dates. */
  range: RangeName | "custom";
  from: number;
  to: number;
  /** The charts' step in seconds: minutes up to a day, hours beyond (the panel queries switch alike). */
  step: number;
};

export function isRange(value: string | undefined): value is RangeName {
  return value !== undefined && Object.hasOwn(RANGES, value);
}

export function stepOf(lengthMs: number): number {
  return lengthMs > DAY ? 3600 : 60;
}

/** Bad input of the panels' request: a machine code and what was expected. */
export class WindowError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export type WindowQuery = { range?: string; from?: string; to?: string; filter?: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The window of one refresh at `now` (Unix ms): `to` is `now` cut to the second. Custom dates are days
 * of `timeZone` (the site's, IANA).
 */
export function windowOf(query: WindowQuery, now: number, timeZone = "UTC"): Window {
  if (query.from !== undefined || query.to !== undefined) return customWindow(query, now, timeZone);
  const range = query.range ?? "1h";
  if (!isRange(range)) {
    throw new WindowError(
      "bad_range",
      `range must be one of ${Object.keys(RANGES).join(", ")} (or from= and to= dates); got ${
        JSON.stringify(range)
      }`,
    );
  }
  const to = Math.floor(now / 1000) * 1000;
  return { range, from: to - RANGES[range], to, step: stepOf(RANGES[range]) };
}

/**
 * Whole days of the zone, `from` to `to` both included: from the local midnight that starts `from` to
 * the one that ends `to` (a day of 23 or 25 hours where daylight saving changes); a `to` of today
 * ends at the refresh's second.
 */
function customWindow(query: WindowQuery, now: number, timeZone: string): Window {
  const date = (name: "from" | "to") => {
    const text = query[name];
    const [year, month, day] = text !== undefined && DATE.test(text) ? text.split("-").map(Number) : [];
    if (year === undefined || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
      throw new WindowError(
        "bad_dates",
        `Custom dates need from= and to= as YYYY-MM-DD; got ${name}=${JSON.stringify(text ?? null)}`,
      );
    }
    return { year, month, day };
  };
  const first = date("from"), last = date("to");
  const from = localMidnightUtc(timeZone, first.year, first.month, first.day);
  const to = Math.min(
    localMidnightUtc(timeZone, last.year, last.month, last.day + 1),
    Math.floor(now / 1000) * 1000,
  );
  if (to <= from) {
    throw new WindowError(
      "bad_dates",
      `from (${query.from}) must be a day before or equal to to (${query.to}), not in the future`,
    );
  }
  // An hour's slack: a span across a daylight saving change is an hour off whole days.
  const days = Math.ceil((to - from) / DAY - 1 / 24);
  if (days > MAX_CUSTOM_DAYS) {
    throw new WindowError("bad_dates", `Custom dates span at most ${MAX_CUSTOM_DAYS} days; got ${days}`);
  }
  return { range: "custom", from, to, step: stepOf(to - from) };
}

/** The period of the same length just before. */
export function previousOf(window: Window): Window {
  const length = window.to - window.from;
  return { ...window, from: window.from - length, to: window.from };
}

export function filterOf(text: string | undefined): Filter | undefined {
  if (text === undefined || text === "") return undefined;
  const colon = text.indexOf(":");
  const dimension = text.slice(0, colon);
  const value = text.slice(colon + 1);
  if (colon < 0 || !(FILTER_DIMENSIONS as readonly string[]).includes(dimension) || value === "") {
    throw new WindowError(
      "bad_filter",
      `filter must be dimension:value with a dimension of ${FILTER_DIMENSIONS.join(", ")}; got ${
        JSON.stringify(text)
      }`,
    );
  }
  return { dimension: dimension as Filter["dimension"], value };
}
