// Where the alert service keeps its state across restarts: each transition written to ClickHouse as it
// is decided (clickhouse/017_alerts.sql, by the processor's own user), and read back at start, so a
// restart neither fires again an alert that is still firing nor forgets it.
import type { Engine } from "../engine/engine.ts";
import type { Alert } from "./evaluate.ts";

export interface AlertStore {
  /** The alerts firing when the processor stopped, and the newest transitions (newest first). */
  load(recent: number): Promise<{ firing: Alert[]; recent: Alert[] }>;
  save(transitions: readonly Alert[]): Promise<void>;
}

const LOAD_FIRING = `
SELECT alert
FROM alert_state
WHERE (alert_id, at) IN (SELECT alert_id, max(at) FROM alert_state GROUP BY alert_id)
  AND status = 'firing'
ORDER BY alert_id`;

const LOAD_RECENT = "SELECT alert FROM alert_state ORDER BY at DESC, alert_id LIMIT {n:UInt32}";

const SAVE = `INSERT INTO alert_state (alert_id, status, at, alert)
SELECT {alert_id:String}, {status:String}, fromUnixTimestamp64Milli({at:Int64}, 'UTC'), {alert:String}`;

export class ClickHouseAlertStore implements AlertStore {
  constructor(private readonly engine: Engine) {}

  async load(recent: number) {
    const parse = (rows: { alert: string }[]) => rows.map((r) => JSON.parse(r.alert) as Alert);
    return {
      firing: parse(await this.engine.rows<{ alert: string }>(LOAD_FIRING)),
      recent: parse(await this.engine.rows<{ alert: string }>(LOAD_RECENT, { n: recent })),
    };
  }

  async save(transitions: readonly Alert[]): Promise<void> {
    for (const t of transitions) {
      await this.engine.writeOwn(SAVE, {
        alert_id: t.alert_id,
        status: t.status,
        at: t.at,
        alert: JSON.stringify(t),
      });
    }
  }
}

/** In memory, for tests: what a restarted service would read back. */
export class MemoryAlertStore implements AlertStore {
  readonly saved: Alert[] = [];

  load(recent: number) {
    const newest = new Map<string, Alert>();
    for (const a of this.saved) newest.set(a.alert_id, a);
    return Promise.resolve({
      firing: [...newest.values()].filter((a) => a.status === "firing"),
      recent: this.saved.toReversed().slice(0, recent),
    });
  }

  save(transitions: readonly Alert[]): Promise<void> {
    this.saved.push(...transitions);
    return Promise.resolve();
  }
}
