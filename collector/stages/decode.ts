// Stage 2: text to JSON. Before parsing, one pass over the text measures how deeply arrays and
// objects nest, so a `[[[[...` bomb is refused by its shape, not by exhausting the parser.
// Duplicate keys keep the last value (JSON.parse); that is safe because nothing downstream sees
// the original text: every published row is serialized again from the validated object.
import { CollectorError } from "../errors.ts";

export type DecodeLimits = { maxJsonDepth: number };

export function decode(text: string, { maxJsonDepth }: DecodeLimits): unknown {
  const depth = nestingDepth(text, maxJsonDepth);
  if (depth > maxJsonDepth) {
    throw new CollectorError(
      "payload_too_large",
      `Cannot accept JSON nested more than ${maxJsonDepth} levels deep`,
      { limit_depth: maxJsonDepth },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CollectorError("invalid_json", `Cannot parse the body as JSON: ${(error as Error).message}`);
  }
}

/**
 * The deepest nesting of [ and { outside strings; stops counting once past `stopAt`. A string is
 * skipped with indexOf to its closing quote (one not escaped: after an even run of backslashes):
 * most of a body is strings, and this scan cost as much as JSON.parse when it read them a
 * character at a time (loadtest/RESULTS.md, 2026-12-08).
 */
export function nestingDepth(text: string, stopAt: number): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) {
      let end = text.indexOf('"', i + 1);
      while (end > 0 && escaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) return max; // an unterminated string: JSON.parse refuses it
      i = end;
    } else if (ch === 91 || ch === 123) {
      if (++depth > max && (max = depth) > stopAt) return max;
    } else if (ch === 93 || ch === 125) depth--;
  }
  return max;
}

/** Whether the quote at `at` is escaped: an odd number of backslashes right before it. */
function escaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(at - 1 - backslashes) === 92) backslashes++;
  return backslashes % 2 === 1;
}
