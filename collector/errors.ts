// One catalogue of everything the collector refuses: a machine-readable code, the HTTP status and
// a message saying what was wrong and what was expected. `errorResponse` is the only place an
// error becomes a response.
import type { Context } from "hono";

export const ERRORS = {
  invalid_json: { status: 400 },
  invalid_payload: { status: 400 },
  payload_too_large: { status: 413 },
  unsupported_media_type: { status: 415 },
  kafka_unavailable: { status: 503 },
} as const;

export type ErrorCode = keyof typeof ERRORS;

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

export function errorResponse(c: Context, error: CollectorError) {
  const body = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  return c.json(body, ERRORS[error.code].status, error.headers);
}
