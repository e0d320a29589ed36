// JSON in Web Storage. Storage may be missing, full or forbidden (private mode, sandboxed
// iframes): reads then give `undefined` and writes report `false`, nothing throws.
export type Store = Pick<Storage, "getItem" | "setItem" | "removeItem" | "key" | "length">;

export function load<T>(store: Store | undefined, key: string): T | undefined {
  try {
    const raw = store!.getItem(key);
    return raw == null ? undefined : JSON.parse(raw);
  } catch { /* missing or corrupt: start afresh */ }
}

export function save(store: Store | undefined, key: string, value: unknown): boolean {
  try {
    value === undefined ? store!.removeItem(key) : store!.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

/** Keys starting with `prefix`, read up front because removing keys shifts `store.key(i)`. */
export function keys(store: Store | undefined, prefix: string): string[] {
  const found: string[] = [];
  try {
    for (let i = 0; i < store!.length; i++) {
      const key = store!.key(i);
      if (key && key.startsWith(prefix)) found.push(key);
    }
  } catch { /* no storage: nothing stored */ }
  return found;
}
