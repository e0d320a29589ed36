// deno-lint-ignore-file no-window no-window-prefix -- the page under test: window is what the SDK reads
// What the SDK sent, for the specs beside this file: window.fetch replaced by a stand-in collector
// that records each batch and answers with the status the spec sets.
import { vi } from "vitest";

export type SentEvent = Record<string, unknown> & {
  type: string;
  event_id: string;
};
export type Batch = { url: string; site: string; events: SentEvent[] };

/** Replaces window.fetch; `status` is what the stand-in collector answers next. */
export function standInCollector() {
  const state = { status: 202, batches: [] as Batch[] };
  window.fetch = vi.fn((url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body));
    state.batches.push({
      url: String(url),
      site: body.site,
      events: body.events,
    });
    return Promise.resolve(new Response("{}", { status: state.status }));
  }) as typeof fetch;
  return Object.assign(state, {
    events: () => state.batches.flatMap((b) => b.events),
  });
}

/** The event ids the SDK keeps in its outboxes in localStorage (`st_q:<page id>`). */
export function stored(): string[] {
  return Object.keys(localStorage).filter((k) => k.startsWith("st_q:"))
    .flatMap((k) => (JSON.parse(localStorage.getItem(k)!).e as SentEvent[]).map((e) => e.event_id));
}
