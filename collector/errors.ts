// One catalogue of everything the collector refuses. A request error has a code, an HTTP status
// and a log level; an event error (one event of a batch refused, the rest published) has a code
// only, reported in the per-event results and the DLQ. `errorResponse` is the only place a
// request error becomes a response, and it counts it.
export const ERRORS = {
  invalid_json: { status: 400, level: "debug" },
  invalid_payload: { status: 400, level: "debug" },
  unknown_site: { status: 401, level: "info" },
  origin_not_allowed: { status: 403, level: "info" },
  not_found: { status: 404, level: "debug" },
  payload_too_large: { status: 413, level: "info" },
  unsupported_media_type: { status: 415, level: "debug" },
  rate_limited: { status: 429, level: "debug" },
  internal: { status: 500, level: "error" },
  kafka_unavailable: { status: 503, level: "warn" },
  spool_full: { status: 503, level: "error" },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** Why one event of a batch was refused. The event goes to the DLQ topic with this code. */
export const EVENT_ERRORS = {
  invalid_event: "does not match the event contract",
  payload_too_large: "a string, or the free-form props, is over its size limit",
  forbidden_key: "uses a key reserved by JavaScript objects (__proto__, constructor, prototype)",
  invalid_text: "a string holds control characters or unpaired UTF-16 surrogates",
  timestamp_out_of_range: "its time is too far in the past or after the batch was sent",
  revenue_mismatch: "a purchase whose revenue is not plausible for the sum of its items",
  duplicate_event_id: "repeats an event_id seen earlier in the same batch",
} as const;

export type EventErrorCode = keyof typeof EVENT_ERRORS;

/** What an accepted event was stored without, reported in the response's `warnings`. */
export const EVENT_WARNINGS = {
  unknown_field: "carries a field its event type does not have: stored without it",
} as const;

export type EventWarningCode = keyof typeof EVENT_WARNINGS;

export class CollectorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

export function errorResponse(error: CollectorError, headers: Record<string, string> = {}): Response {
  const { status, level } = ERRORS[error.code];
  if (level === "warn" || level === "error") console[level](`collector: ${error.code}: ${error.message}`);
  return jsonResponse(errorBody(error.code, error.message, error.details), status, {
    ...headers,
    ...error.headers,
  });
}

/** A JSON answer built directly: the batch route answers without Hono's context (app.ts). */
export function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  headers["Content-Type"] = "application/json";
  return new Response(JSON.stringify(body), { status, headers });
}
