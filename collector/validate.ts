// Stage 3: the batch envelope and every event against the contract.
import type { z } from "zod";
import { Batch, Event } from "./contract.ts";
import { CollectorError } from "./errors.ts";

export type Problem = { path: string; reason: string };

function problems(error: z.ZodError, prefix: (string | number)[] = []): Problem[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join(".") || "(root)",
    reason: issue.message,
  }));
}

export type ValidBatch = { site: string; sentAt: number; events: Event[] };

export function validate(body: unknown): ValidBatch {
  const batch = Batch.safeParse(body);
  if (!batch.success) {
    throw new CollectorError("invalid_payload", "The batch does not match the contract", problems(batch.error));
  }
  const events: Event[] = [];
  const found: Problem[] = [];
  batch.data.events.forEach((raw, index) => {
    const event = Event.safeParse(raw);
    if (event.success) events.push(event.data);
    else found.push(...problems(event.error, ["events", index]));
  });
  if (found.length > 0) {
    throw new CollectorError(
      "invalid_payload",
      `${new Set(found.map((p) => p.path.split(".")[1])).size} of ${batch.data.events.length} events do not match the contract`,
      found,
    );
  }
  return { site: batch.data.site, sentAt: batch.data.sent_at, events };
}
