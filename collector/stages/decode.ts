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

/** The deepest nesting of [ and { outside strings; stops counting once past `stopAt`. */
export function nestingDepth(text: string, stopAt: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 || ch === 123) {
      if (++depth > max && (max = depth) > stopAt) return max;
    } else if (ch === 93 || ch === 125) depth--;
  }
  return max;
}
