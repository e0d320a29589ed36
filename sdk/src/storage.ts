// JSON in Web Storage. Storage may be missing, full or forbidden (private mode, sandboxed
// iframes, blocked cookies, where reading `window.localStorage` itself throws): reads then give
// `undefined` and writes report `false`, nothing throws. localStorage unless `tab` asks for this
// tab's sessionStorage.
import type { Win } from "./env.ts";

const store = (w: Win, tab?: boolean) => tab ? w.sessionStorage : w.localStorage;

export function load<T>(w: Win, key: string, tab?: boolean): T | undefined {
  try {
    const raw = store(w, tab).getItem(key);
    return raw == null ? undefined : JSON.parse(raw);
  } catch { /* missing or corrupt: start afresh */ }
}

export function save(w: Win, key: string, value: unknown, tab?: boolean): boolean {
  try {
    value === undefined ? store(w, tab).removeItem(key) : store(w, tab).setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

/** localStorage keys starting with `prefix`, read up front because removing keys shifts `key(i)`. */
export function keys(w: Win, prefix: string): string[] {
  const found: string[] = [];
  try {
    const s = w.localStorage;
    for (let i = 0; i < s.length; i++) {
      const key = s.key(i);
      if (key && key.startsWith(prefix)) found.push(key);
    }
  } catch { /* no storage: nothing stored */ }
  return found;
}
