// Stage 1: the request body as text. Refuses media types and encodings beacons do not send, and
// stops reading as soon as the body — after gzip decompression — passes the limit, so a small
// compressed bomb costs us at most the limit and one inflated slice.
import { CollectorError } from "../errors.ts";

export type BodyLimits = { maxBodyBytes: number };

// sendBeacon sends text/plain (no CORS preflight); fetch-based clients send JSON.
const ACCEPTED_TYPES = ["application/json", "text/plain"];
const ACCEPTED_ENCODINGS = ["", "identity", "gzip"];
// DecompressionStream inflates each input chunk whole, and deflate reaches ~1030:1: a 64 KB network
// chunk of a bomb became ~64 MB before its size could be checked. Fed 1 KiB at a time, it yields at
// most ~1 MB before the next check (and backpressure keeps it from running ahead of the reader).
const GZIP_SLICE_BYTES = 1024;

export async function readBody(request: Request, { maxBodyBytes }: BodyLimits): Promise<string> {
  const headers = request.headers;
  const contentType = headers.get("Content-Type") ?? "";
  const type = contentType.split(";")[0].trim().toLowerCase();
  if (!ACCEPTED_TYPES.includes(type)) {
    throw new CollectorError(
      "unsupported_media_type",
      `Cannot accept a body of type '${type || "(none)"}': send application/json or text/plain`,
    );
  }
  const charset = /charset=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset && charset !== "utf-8" && charset !== "utf8") {
    throw new CollectorError("unsupported_media_type", `Cannot accept charset '${charset}': send UTF-8`);
  }
  const encoding = (headers.get("Content-Encoding") ?? "").trim().toLowerCase();
  if (!ACCEPTED_ENCODINGS.includes(encoding)) {
    throw new CollectorError(
      "unsupported_media_type",
      `Cannot accept Content-Encoding '${encoding}': send the body plain or gzip-compressed`,
    );
  }
  const length = headers.get("Content-Length");
  const declared = Number(length ?? "0");
  if (declared > maxBodyBytes) throw tooLarge(`${declared} bytes`, maxBodyBytes);

  let bytes: Uint8Array;
  if (encoding !== "gzip" && length !== null && !headers.has("Transfer-Encoding")) {
    // The declared length is within the limit (above) and HTTP framing delivers no more than it, so
    // the body is read whole in one step: a stream reader costs an async hop per chunk. A chunked
    // body (whatever Content-Length says) is read through the limit below.
    bytes = await readWhole(request);
  } else {
    let stream = request.body;
    if (!stream) return "";
    if (encoding === "gzip") {
      stream = stream.pipeThrough(slices(GZIP_SLICE_BYTES)).pipeThrough(new DecompressionStream("gzip"));
    }
    bytes = await readLimited(stream, maxBodyBytes, encoding === "gzip");
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new CollectorError("invalid_json", "Cannot read the body: it is not valid UTF-8");
  }
}

// Without `stream`, decode() keeps no state between calls, so one decoder serves every request.
const UTF8 = new TextDecoder("utf-8", { fatal: true });

async function readWhole(request: Request): Promise<Uint8Array> {
  try {
    return new Uint8Array(await request.arrayBuffer());
  } catch (error) {
    throw new CollectorError("invalid_json", `Cannot read the body: ${(error as Error).message}`);
  }
}

/** Cuts chunks into views of at most `size` bytes (no copies). */
function slices(size: number): TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>> {
  return new TransformStream({
    transform(chunk, controller) {
      for (let at = 0; at < chunk.byteLength; at += size) controller.enqueue(chunk.subarray(at, at + size));
    },
  });
}

function tooLarge(size: string, limit: number, after = "") {
  return new CollectorError(
    "payload_too_large",
    `Cannot accept a body of ${size}${after}: the limit is ${limit} bytes`,
    { limit_bytes: limit },
  );
}

async function readLimited(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  gzip: boolean,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge(`more than ${limit} bytes`, limit, gzip ? " after gzip decompression" : "");
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof CollectorError) throw error;
    throw new CollectorError(
      gzip ? "invalid_payload" : "invalid_json",
      gzip
        ? "Cannot decompress the body: it is not valid gzip"
        : `Cannot read the body: ${(error as Error).message}`,
    );
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
