// Stage 1: the request body as text, refusing media types beacons do not send and bodies over
// the limit before reading them whole.
import type { Context } from "hono";
import { CollectorError } from "./errors.ts";

export type BodyLimits = { maxBodyBytes: number };

// sendBeacon sends text/plain (no CORS preflight); fetch-based clients send JSON.
const ACCEPTED = ["application/json", "text/plain"];

export async function readBody(c: Context, { maxBodyBytes }: BodyLimits): Promise<string> {
  const type = (c.req.header("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
  if (!ACCEPTED.includes(type)) {
    throw new CollectorError(
      "unsupported_media_type",
      `Cannot accept a body of type '${type || "(none)"}': send application/json or text/plain`,
    );
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.byteLength > maxBodyBytes) {
    throw new CollectorError(
      "payload_too_large",
      `Cannot accept a body of ${bytes.byteLength} bytes: the limit is ${maxBodyBytes}`,
    );
  }
  return new TextDecoder().decode(bytes);
}
