// Single-page-app navigation: history.pushState/replaceState and popstate. `onNavigate` runs
// exactly once per change of URL (path and query, plus the hash when `hash` is set) and never
// for a replace or push that keeps the URL.
import { safe, type Win } from "./env.ts";

export function watchNavigation(w: Win, hash: boolean | undefined, onNavigate: (from: string) => void): void {
  const here = () => hash ? w.location.href : w.location.href.split("#")[0];
  let last = here();
  const check = safe(() => {
    const now = here();
    if (now == last) return;
    const from = last;
    last = now;
    onNavigate(from);
  });
  const h = w.history;
  for (const name of ["pushState", "replaceState"] as const) {
    const original = h[name];
    h[name] = function (this: History, ...args: Parameters<History["pushState"]>) {
      const result = original.apply(this, args);
      check();
      return result;
    };
  }
  w.addEventListener("popstate", check);
  if (hash) w.addEventListener("hashchange", check);
}
