// The site picker's list (sites.sql) and a site's time zone (site_zone.sql), each read at most once a
// minute. A refresh needs both before its window is known, so their reads would wait alone in front
// of the panels' (~2-5 ms each on the embedded engine). Neither is a figure the page shows: the list
// changes when a new site's first events arrive, a zone when the processor restarts with a new sites
// file; a minute late is fine for both. The panels themselves are never cached.
import type { QueryFiles, RunSql } from "./queries.ts";

export type SiteLookups = {
  /** Sites with events in the last day, busiest first. */
  list(): Promise<string[]>;
  /** The site's time zone (IANA); UTC for a site without one. */
  zone(site: string): Promise<string>;
};

export const LOOKUP_MAX_AGE_MS = 60_000;

export function siteLookups(
  { run, queries, clock = Date.now, maxAgeMs = LOOKUP_MAX_AGE_MS }: {
    run: RunSql;
    queries: QueryFiles<"sites" | "site_zone">;
    clock?: () => number;
    maxAgeMs?: number;
  },
): SiteLookups {
  const kept = new Map<string, { value: Promise<unknown>; at: number }>();
  /** `load`'s answer for `key`, read again once older than maxAgeMs; a failed or empty one is not kept. */
  const cached = <T>(key: string, load: () => Promise<T>, keep: (value: T) => boolean): Promise<T> => {
    const now = clock();
    const hit = kept.get(key);
    if (hit && now - hit.at < maxAgeMs) return hit.value as Promise<T>;
    const value = load();
    kept.set(key, { value, at: now });
    value.then((v) => keep(v) || kept.delete(key), () => kept.delete(key));
    return value;
  };
  return {
    list: () =>
      cached(
        "sites",
        async () => (await run<{ site: string }>(queries.sites, {})).map((r) => r.site),
        (sites) => sites.length > 0,
      ),
    zone: (site) =>
      cached(
        `zone:${site}`,
        async () => (await run<{ time_zone: string }>(queries.site_zone, { site }))[0]?.time_zone || "UTC",
        () => true,
      ),
  };
}
