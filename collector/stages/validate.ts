// Stage 3: the batch envelope, then each event on its own. A bad envelope refuses the request; a
// bad event is set aside with its reason (for the DLQ and the per-event results) and the rest of
// the batch goes on. See DESIGN.md, "Hostile input", for why each rule is what it is.
import type { z } from "zod";
import {
  Batch,
  type Event,
  Event as EventSchema,
  MAX_EVENTS_PER_BATCH,
  OrderItem,
} from "../../contract/mod.ts";
import { correctedTime } from "./enrich.ts";
import { CollectorError, type EventErrorCode, type EventWarningCode } from "../errors.ts";
import { compileCheck } from "../../lib/zod_check.ts";

export type Problem = { path: string; reason: string };

export type ValidateLimits = {
  maxEvents: number;
  /** Free-form `props`: nesting below the props object, total keys, serialized bytes. */
  maxPropsDepth: number;
  maxPropsKeys: number;
  maxPropsBytes: number;
  /** How old an event may be, on the server's clock, when it arrives. */
  maxEventAgeMs: number;
  /** How far after the batch's `sent_at` an event's own `ts` may lie (clock jitter). */
  maxEventLeadMs: number;
};

export const DEFAULT_VALIDATE_LIMITS: ValidateLimits = {
  maxEvents: MAX_EVENTS_PER_BATCH,
  maxPropsDepth: 3,
  maxPropsKeys: 50,
  maxPropsBytes: 4096,
  maxEventAgeMs: 7 * 24 * 60 * 60 * 1000,
  maxEventLeadMs: 60 * 1000,
};

export type Envelope = { site: string; sentAt: number; events: unknown[] };

export type Rejection = {
  index: number;
  event_id: string | null;
  code: EventErrorCode;
  problems: Problem[];
  raw: unknown;
};
export type Accepted = { index: number; event: Event };
/** What an accepted event was stored without; the client sees it in the response. */
export type Warning = {
  index: number;
  event_id: string;
  code: EventWarningCode;
  /** Its path in the event, e.g. "product_id" or "items.0.sku". */
  field: string;
  message: string;
};
export type Checked = { accepted: Accepted[]; rejected: Rejection[]; warnings: Warning[] };

// The contract's schemas as yes/no checks (lib/zod_check.ts): zod's parse runs only on a no, for its
// issues. validate_check_test.ts holds both to the same answers on the hostile tables and on mutated events.
const acceptsBatch = compileCheck(Batch);
const acceptsEvent = compileCheck(EventSchema);

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
// C0 controls and DEL, except tab, line feed and carriage return (titles may hold them).
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function problems(error: z.ZodError, prefix: (string | number)[] = []): Problem[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join(".") || "(root)",
    reason: issue.message,
  }));
}

export function validateEnvelope(body: unknown, limits: Pick<ValidateLimits, "maxEvents">): Envelope {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new CollectorError(
      "invalid_payload",
      `Cannot accept a body that is ${
        Array.isArray(body) ? "an array" : body === null ? "null" : `a ${typeof body}`
      }: ` +
        "send an object {site, sent_at, events}",
    );
  }
  const events = (body as { events?: unknown }).events;
  if (Array.isArray(events) && events.length > limits.maxEvents) {
    throw new CollectorError(
      "payload_too_large",
      `Cannot accept batch: 'events' has ${events.length} items, the limit is ${limits.maxEvents}`,
      { limit_events: limits.maxEvents },
    );
  }
  if (acceptsBatch(body)) {
    const batch = body as Batch;
    return { site: batch.site, sentAt: batch.sent_at, events: batch.events };
  }
  const batch = Batch.safeParse(body);
  if (!batch.success) {
    throw new CollectorError(
      "invalid_payload",
      "The batch envelope does not match the contract",
      problems(batch.error),
    );
  }
  return { site: batch.data.site, sentAt: batch.data.sent_at, events: batch.data.events };
}

/**
 * Whether JSON text can parse to a string or key with a control character (C0 but tab, LF and CR, or
 * DEL), an unpaired surrogate, or a reserved key: JSON forbids raw C0 characters in strings and the
 * body was decoded as strict UTF-8, so the first two arrive only as an escape (`\uXXXX`, `\b`, `\f`)
 * or a raw DEL, and a reserved key only spelled out or through `\u`. When this is false, the walk
 * for bad keys and text (badIn: a tenth of a 20-event request's CPU) cannot find anything and is
 * skipped; a backslash before the escape (`\\u`) only makes it look, as does a URL holding "prototype".
 */
export function mayHoldBadText(text: string): boolean {
  return SUSPECT_TEXT.test(text);
}
const SUSPECT_TEXT = /\\[ubf]|\x7f|__proto__|constructor|prototype/;

export function validateEvents(
  envelope: Envelope,
  { receivedAt, limits, walk = true }: {
    receivedAt: number;
    limits: ValidateLimits;
    /** False when the body's text cannot hold bad keys or text (mayHoldBadText). */
    walk?: boolean;
  },
): Checked {
  const checked: Checked = { accepted: [], rejected: [], warnings: [] };
  const seen = new Set<string>();
  envelope.events.forEach((raw, index) => {
    const result = validateEvent(raw, { index, envelope, receivedAt, limits, walk });
    const eventId = result.event?.event_id ?? eventIdOf(raw);
    if (result.event && seen.has(result.event.event_id)) {
      const path = `events.${index}.event_id`;
      checked.rejected.push({
        index,
        event_id: eventId,
        code: "duplicate_event_id",
        problems: [{ path, reason: "already used earlier in this batch" }],
        raw,
      });
    } else if (result.event) {
      seen.add(result.event.event_id);
      checked.accepted.push({ index, event: result.event });
      unknownFields(raw as Record<string, unknown>, result.event, index, checked.warnings);
    } else {checked.rejected.push({
        index,
        event_id: eventId,
        code: result.code,
        problems: result.problems,
        raw,
      });}
  });
  return checked;
}

type EventResult =
  | { event: Event; code?: undefined; problems?: undefined }
  | { event?: undefined; code: EventErrorCode; problems: Problem[] };

function validateEvent(
  raw: unknown,
  { index, envelope, receivedAt, limits, walk }: {
    index: number;
    envelope: Envelope;
    receivedAt: number;
    limits: ValidateLimits;
    walk: boolean;
  },
): EventResult {
  const at = (path: string) => `events.${index}${path ? `.${path}` : ""}`;
  const fail = (code: EventErrorCode, path: string, reason: string): EventResult => ({
    code,
    problems: [{ path: at(path), reason }],
  });

  const found = walk ? inspect(raw, "") : undefined;
  if (found) return fail(found.code, found.path, found.reason);

  const props = (raw as { props?: unknown } | null)?.props;
  if (props !== undefined && props !== null && typeof props === "object") {
    const shape = measure(props);
    if (shape.depth > limits.maxPropsDepth) {
      return fail(
        "payload_too_large",
        "props",
        `nested ${shape.depth} levels deep, the limit is ${limits.maxPropsDepth}`,
      );
    }
    if (shape.longestKey > 128) {
      return fail(
        "payload_too_large",
        "props",
        `has a key of ${shape.longestKey} characters, the limit is 128`,
      );
    }
    if (shape.keys > limits.maxPropsKeys) {
      return fail(
        "payload_too_large",
        "props",
        `has ${shape.keys} keys, the limit is ${limits.maxPropsKeys}`,
      );
    }
    const bytes = new TextEncoder().encode(JSON.stringify(props)).byteLength;
    if (bytes > limits.maxPropsBytes) {
      return fail(
        "payload_too_large",
        "props",
        `is ${bytes} bytes as JSON, the limit is ${limits.maxPropsBytes}`,
      );
    }
  }

  // A valid event is used as sent: its unknown keys stay on it, unread (toKafkaRow picks the contract's).
  let event = raw as Event;
  if (!acceptsEvent(raw)) {
    const parsed = EventSchema.safeParse(raw);
    if (!parsed.success) {
      const tooLong = parsed.error.issues.some((i) => i.code === "too_big" && i.origin === "string");
      return {
        code: tooLong ? "payload_too_large" : "invalid_event",
        problems: problems(parsed.error, ["events", index]),
      };
    }
    event = parsed.data;
  }

  const eventTime = correctedTime(event.ts, envelope.sentAt, receivedAt);
  if (event.ts > envelope.sentAt + limits.maxEventLeadMs) {
    return fail(
      "timestamp_out_of_range",
      "ts",
      `is ${event.ts - envelope.sentAt} ms after the batch's sent_at`,
    );
  }
  if (eventTime < receivedAt - limits.maxEventAgeMs) {
    return fail(
      "timestamp_out_of_range",
      "ts",
      `is ${Math.round((receivedAt - eventTime) / 3_600_000)} h old, the limit is ${
        limits.maxEventAgeMs / 3_600_000
      } h`,
    );
  }

  if (event.type === "purchase") {
    const sum = event.items.reduce((total, item) => total + item.price * item.quantity, 0);
    // Revenue may be below the items (discounts, even 100 %) and above them by tax and shipping,
    // but not by more than half again plus 50 in the currency: beyond that it is a bug or a lie.
    if (event.revenue > sum * 1.5 + 50) {
      return fail("revenue_mismatch", "revenue", `is ${event.revenue}, but the items sum to ${round2(sum)}`);
    }
  }
  return { event };
}

/** Each type's fields: what the contract keeps of an event (zod drops any other key silently). */
const FIELDS = new Map(EventSchema.options.map((o) => [o.shape.type.value, new Set(Object.keys(o.shape))]));
const ITEM_FIELDS = new Set(Object.keys(OrderItem.shape));
const CONTRACT_KEYS = new Set([...[...FIELDS.values()].flatMap((fields) => [...fields]), ...ITEM_FIELDS]);

/**
 * Warns of each key of an accepted event (and of its items) that its type does not have: the
 * event is stored without it, and the sender learns why the value is missing instead of finding
 * out from an empty report.
 */
function unknownFields(raw: Record<string, unknown>, event: Event, index: number, warnings: Warning[]): void {
  const fields = FIELDS.get(event.type)!;
  const warn = (field: string, hint: string) =>
    warnings.push({
      index,
      event_id: event.event_id,
      code: "unknown_field",
      field,
      message: `'${field}' is not a field of a ${event.type} event and was not stored; ${hint}`,
    });
  for (const key in raw) {
    if (fields.has(key)) continue;
    warn(
      key,
      event.type === "page_view" && key === "product_id"
        ? "send a product_view event for a product page (or list the page's URL in the site's product_url_patterns)"
        : "custom data goes in props",
    );
  }
  const items = (raw as { items?: unknown }).items;
  if (!Array.isArray(items) || !("items" in event)) return;
  items.forEach((item, i) => {
    for (const key in item as Record<string, unknown>) {
      if (!ITEM_FIELDS.has(key)) warn(`items.${i}.${key}`, "an item has product_id, quantity and price");
    }
  });
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function eventIdOf(raw: unknown): string | null {
  const id = (raw as { event_id?: unknown } | null)?.event_id;
  return typeof id === "string" && id.length <= 128 && !CONTROL.test(id) && id.isWellFormed() ? id : null;
}

/** The first forbidden key or bad string anywhere in the value, depth-first. */
function inspect(
  value: unknown,
  path: string,
): { code: EventErrorCode; path: string; reason: string } | undefined {
  const found = badIn(value);
  if (!found) return undefined;
  const at = found.at.reduce((parent, k) => (parent ? `${parent}.${k}` : k), path);
  return { code: found.code, path: at, reason: found.reason };
}

/**
 * What inspect looks for; the path comes back as its keys, innermost last, and is joined only
 * when something is found (building a path string for every key was a third of this walk's time).
 */
function badIn(value: unknown): { code: EventErrorCode; at: string[]; reason: string } | undefined {
  if (typeof value === "string") {
    if (CONTROL.test(value)) return { code: "invalid_text", at: [], reason: "holds a control character" };
    if (!value.isWellFormed()) {
      return { code: "invalid_text", at: [], reason: "holds an unpaired UTF-16 surrogate" };
    }
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = badIn(value[i]);
      if (found) {
        found.at.unshift(String(i));
        return found;
      }
    }
    return undefined;
  }
  // for…in, not Object.keys: no array per object (JSON.parse's objects inherit no enumerable keys).
  for (const k in value) {
    // The contract's own field names are neither forbidden nor bad text: only other keys are looked at.
    if (!CONTRACT_KEYS.has(k)) {
      if (FORBIDDEN_KEYS.has(k)) {
        return { code: "forbidden_key", at: [k], reason: `'${k}' is not allowed as a key` };
      }
      if (CONTROL.test(k) || !k.isWellFormed()) {
        return {
          code: "invalid_text",
          at: [],
          reason: "a key holds a control character or unpaired surrogate",
        };
      }
    }
    const found = badIn((value as Record<string, unknown>)[k]);
    if (found) {
      found.at.unshift(k);
      return found;
    }
  }
  return undefined;
}

/** Depth below the given object (its own keys are depth 1), the total number of keys, the longest key. */
function measure(value: unknown): { depth: number; keys: number; longestKey: number } {
  if (typeof value !== "object" || value === null) return { depth: 0, keys: 0, longestKey: 0 };
  let depth = 0;
  const own = Array.isArray(value) ? [] : Object.keys(value);
  let keys = own.length;
  let longestKey = Math.max(0, ...own.map((k) => k.length));
  for (const v of Object.values(value)) {
    const inner = measure(v);
    depth = Math.max(depth, inner.depth);
    keys += inner.keys;
    longestKey = Math.max(longestKey, inner.longestKey);
  }
  return { depth: depth + 1, keys, longestKey };
}
