// Stage 2: text to JSON.
import { CollectorError } from "./errors.ts";

export function decode(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CollectorError(
      "invalid_json",
      `Cannot parse the body as JSON: ${(error as Error).message}`,
    );
  }
}
