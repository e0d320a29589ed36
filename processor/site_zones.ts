// Each site's time zone for ClickHouse: the sites file names it (`time_zone`, IANA, default UTC)
// and the processor writes it at start into `site_zones` (clickhouse/006_counted_events.sql) as the
// offsets from UTC the zone has had and will have, so that counting an event looks up its site's
// offset at the event's time (ClickHouse's date functions take a time zone only as a constant).
// The offsets come from the runtime's time zone data (Intl); a site missing from the table is UTC.
import { Sites } from "../collector/clients/sites.ts";
import type { Engine } from "./engine/engine.ts";
import { utcOffsetS } from "../lib/zone_clock.ts";

/** A zone's offsets: `offsets[0]` before `changes[0]`, `offsets[i + 1]` from `changes[i]` on. */
export type ZoneOffsets = {
  /** Unix seconds at which the offset changes (daylight saving, a new rule), ascending. */
  changes: number[];
  /** Seconds east of UTC. */
  offsets: number[];
};

const DAY_S = 86_400;

/**
 * The UTC instant (Unix ms) at which a local day begins in the zone: its wall-clock midnight less the
 * offset in force then (found in two steps, as the offset at the guess may differ across a change).
 * The dashboard's custom dates are the site's days.
 */
export function localMidnightUtc(timeZone: string, year: number, month: number, day: number): number {
  const wall = Date.UTC(year, month - 1, day) / 1000;
  const guess = wall - utcOffsetS(wall, timeZone);
  return (wall - utcOffsetS(guess, timeZone)) * 1000;
}

/**
 * The zone's hours that overlap [from, to) (Unix s), each as the UTC instant it starts: the keys of
 * the hourly tables (traffic_hours: toStartOfHour(t + offset) - offset), which begin at :30 UTC in a
 * zone such as Asia/Kolkata, at :15 in Asia/Kathmandu. The dashboard plots its hourly charts on them.
 */
export function localHours(timeZone: string, from: number, to: number): number[] {
  const hours: number[] = [];
  const add = (t: number, offset: number) => {
    const start = t - ((t + offset) % 3600 + 3600) % 3600;
    if (start < to && start !== hours[hours.length - 1]) hours.push(start);
  };
  let before = utcOffsetS(from, timeZone);
  add(from, before);
  // A point in each hour while the offset holds; where it changed, one every quarter hour since the
  // last point too, as zones change on quarter hours and by quarter hours.
  for (let t = from + 3600; t - 3600 < to; t += 3600) {
    const offset = utcOffsetS(t, timeZone);
    if (offset !== before) {
      for (let q = t - 3600 + 900; q < t; q += 900) add(q, utcOffsetS(q, timeZone));
    }
    add(t, offset);
    before = offset;
  }
  return hours;
}

/**
 * The zone's offsets between two years (UTC), scanned a day at a time and each change found to the
 * second: zones change their offset at most once a day. Outside the years the nearest offset holds.
 */
export function zoneOffsets(timeZone: string, { fromYear = 2000, toYear = 2060 } = {}): ZoneOffsets {
  const start = Date.UTC(fromYear, 0, 1) / 1000, end = Date.UTC(toYear, 0, 1) / 1000;
  const changes: number[] = [];
  const offsets = [utcOffsetS(start, timeZone)];
  for (let day = start; day < end; day += DAY_S) {
    const before = offsets[offsets.length - 1];
    const after = utcOffsetS(day + DAY_S, timeZone);
    if (after === before) continue;
    // The first second of the day with the new offset.
    let lo = day, hi = day + DAY_S;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (utcOffsetS(mid, timeZone) === before) lo = mid;
      else hi = mid;
    }
    changes.push(hi);
    offsets.push(after);
  }
  return { changes, offsets };
}

/**
 * Writes each listed site's zone, then forgets the sites no longer listed. Run before the Kafka
 * tables consume (processor/migrate.ts, `beforeConsuming`): an event counted before its site's row
 * exists is counted in UTC.
 */
export async function writeSiteZones(
  engine: Engine,
  sites: readonly { id: string; timeZone?: string }[],
): Promise<void> {
  // Site ids are [a-z0-9_-] and zone names IANA names (collector/clients/sites.ts checks both).
  const rows = sites.map(({ id, timeZone = "UTC" }) => {
    const { changes, offsets } = zoneOffsets(timeZone);
    return `('${id}', '${timeZone}', [${changes.join(",")}], [${offsets.join(",")}])`;
  });
  if (rows.length > 0) {
    await engine.command(
      `INSERT INTO site_zones (site, time_zone, changes, offsets) VALUES ${rows.join(",")}`,
    );
  }
  const listed = sites.map(({ id }) => `'${id}'`).join(",");
  await engine.command(`DELETE FROM site_zones WHERE ${listed ? `site NOT IN (${listed})` : "1"}`);
}

/** The sites of the processor's sites file (config.ts `sitesFile`); none when it has none. */
export async function loadSites(
  file: { path: string; variable: string } | undefined,
): Promise<{ id: string; timeZone?: string }[]> {
  return file ? (await Sites.load(file.path, file.variable)).list() : [];
}
