// Everything the SDK touches in the page, passed in as one object so tests can hand it a fake
// window with a fake clock, storage, fetch and sendBeacon. In the browser it is `window` itself.
export type Win = Pick<
  Window & typeof globalThis,
  | "location"
  | "document"
  | "navigator"
  | "history"
  | "localStorage"
  | "sessionStorage"
  | "innerWidth"
  | "innerHeight"
  | "addEventListener"
  | "setTimeout"
  | "clearTimeout"
  | "fetch"
  | "crypto"
  | "Date"
  | "Math"
>;

/** Calls `fn`, swallowing anything it throws: the SDK never throws into the host page. */
export function safe<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R | undefined {
  return (...args) => {
    try {
      return fn(...args);
    } catch { /* never into the page */ }
  };
}

/** A random version 4 UUID; works outside secure contexts, where `crypto.randomUUID` is missing. */
export function uuid(w: Win): string {
  return "10000000-1000-4000-8000-100000000000".replace(
    /[018]/g,
    (c) => (+c ^ (w.crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (+c / 4)))).toString(16),
  );
}

/** UTF-8 byte length of a value's JSON, the unit of every size limit. */
export function bytes(value: unknown): number {
  return new Blob([JSON.stringify(value)]).size;
}
