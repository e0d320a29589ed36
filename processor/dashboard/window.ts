// What one refresh covers: a named range ending at the refresh's second, or whole UTC days picked by
// hand; the chart step that goes with its length; the previous period of the same length (for the
// KPIs' change); and the dashboard-wide filter (`?filter=dimension:value`). Parsed here, once, so the
// routes answer bad input with a code and a message and the panels get plain numbers.

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

/** What `?filter=` may name: the dimensions of clickhouse/ visit_breakdown. */
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

/** The window of one refresh at `now` (Unix ms): `to` is `now` cut to the second. */
export function windowOf(query: WindowQuery, now: number): Window {
  if (query.from !== undefined || query.to !== undefined) return customWindow(query, now);
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

/** Whole UTC days, `from` to `to` both included; a `to` of today ends at the refresh's second. */
function customWindow(query: WindowQuery, now: number): Window {
  const day = (name: "from" | "to") => {
    const text = query[name];
    const ms = text !== undefined && DATE.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
    if (Number.isNaN(ms)) {
      throw new WindowError(
        "bad_dates",
        `Custom dates need from= and to= as YYYY-MM-DD; got ${name}=${JSON.stringify(text ?? null)}`,
      );
    }
    return ms;
  };
  const from = day("from");
  const to = Math.min(day("to") + DAY, Math.floor(now / 1000) * 1000);
  if (to <= from) {
    throw new WindowError(
      "bad_dates",
      `from (${query.from}) must be a day before or equal to to (${query.to}), not in the future`,
    );
  }
  if (to - from > MAX_CUSTOM_DAYS * DAY) {
    throw new WindowError(
      "bad_dates",
      `Custom dates span at most ${MAX_CUSTOM_DAYS} days; got ${Math.ceil((to - from) / DAY)}`,
    );
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
