// Where the alert service keeps its state across restarts (clickhouse/017_alerts.sql, written by the
// processor's own user): each transition as it is decided, with the notifiers it is owed to, and each
// notifier's delivery of it. Read back at start, so a restart neither fires again an alert that is still
// firing, nor forgets it, nor loses a notification a notifier had not accepted.
import type { Engine } from "../engine/engine.ts";
import type { Alert } from "./evaluate.ts";

/** A transition a notifier has not acknowledged. */
export type Undelivered = { notifier: string; alert: Alert };

export interface AlertStore {
  /**
   * The alerts firing when the processor stopped, the newest transitions (newest first), and every
   * transition a notifier did not acknowledge (oldest first).
   */
  load(recent: number): Promise<{ firing: Alert[]; recent: Alert[]; undelivered: Undelivered[] }>;
  /** Stores the transitions, each owed to `notifiers` (their names). */
  save(transitions: readonly Alert[], notifiers: readonly string[]): Promise<void>;
  /** Records that `notifier` accepted these transitions. */
  delivered(notifier: string, alerts: readonly Alert[]): Promise<void>;
}

const LOAD_FIRING = `
SELECT alert
FROM alert_state
WHERE (alert_id, at) IN (SELECT alert_id, max(at) FROM alert_state GROUP BY alert_id)
  AND status = 'firing'
ORDER BY alert_id`;

const LOAD_RECENT = "SELECT alert FROM alert_state ORDER BY at DESC, alert_id LIMIT {n:UInt32}";

const LOAD_UNDELIVERED = `
SELECT notifier, alert
FROM alert_state ARRAY JOIN notifiers AS notifier
WHERE (alert_id, at, notifier) NOT IN (SELECT alert_id, at, notifier FROM alert_deliveries)
ORDER BY at, alert_id, notifier`;

// One INSERT for all of a round's rows, from one JSON parameter: a round's write is all or nothing in
// ClickHouse, so one retried after a failure stores no row twice (a twice-stored transition would be listed
// and re-queued twice). Strings only: the embedded engine inlines string and number parameters
// (engine/inline_params.ts) and would bind an array through chdb's process-wide binding.
const SAVE = `INSERT INTO alert_state (alert_id, status, at, alert, notifiers)
SELECT JSONExtractString(a, 'alert_id'), JSONExtractString(a, 'status'),
       fromUnixTimestamp64Milli(JSONExtract(a, 'at', 'Int64'), 'UTC'), a,
       arrayFilter(n -> n != '', splitByChar(',', {notifiers:String}))
FROM (SELECT arrayJoin(JSONExtractArrayRaw({alerts:String})) AS a)`;

const DELIVERED = `INSERT INTO alert_deliveries (alert_id, at, notifier, delivered_at)
SELECT JSONExtractString(a, 'alert_id'), fromUnixTimestamp64Milli(JSONExtract(a, 'at', 'Int64'), 'UTC'),
       {notifier:String}, now64(3)
FROM (SELECT arrayJoin(JSONExtractArrayRaw({alerts:String})) AS a)`;

export class ClickHouseAlertStore implements AlertStore {
  constructor(private readonly engine: Engine) {}

  async load(recent: number) {
    const parse = (rows: { alert: string }[]) => rows.map((r) => JSON.parse(r.alert) as Alert);
    const undelivered = await this.engine.rows<{ notifier: string; alert: string }>(LOAD_UNDELIVERED);
    return {
      firing: parse(await this.engine.rows<{ alert: string }>(LOAD_FIRING)),
      recent: parse(await this.engine.rows<{ alert: string }>(LOAD_RECENT, { n: recent })),
      undelivered: undelivered.map((r) => ({ notifier: r.notifier, alert: JSON.parse(r.alert) as Alert })),
    };
  }

  async save(transitions: readonly Alert[], notifiers: readonly string[]): Promise<void> {
    if (transitions.length === 0) return;
    await this.engine.writeOwn(SAVE, { alerts: JSON.stringify(transitions), notifiers: notifiers.join(",") });
  }

  async delivered(notifier: string, alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    await this.engine.writeOwn(DELIVERED, { alerts: JSON.stringify(alerts), notifier });
  }
}

/** In memory, for tests: what a restarted service would read back. */
export class MemoryAlertStore implements AlertStore {
  readonly saved: { alert: Alert; notifiers: readonly string[] }[] = [];
  readonly deliveries = new Set<string>();
  /** How many of the next writes of each kind fail, as they would with ClickHouse down. */
  readonly fail = { save: 0, delivered: 0 };

  load(recent: number) {
    const newest = new Map<string, Alert>();
    for (const { alert } of this.saved) newest.set(alert.alert_id, alert);
    return Promise.resolve({
      firing: [...newest.values()].filter((a) => a.status === "firing"),
      recent: this.saved.map((s) => s.alert).toReversed().slice(0, recent),
      undelivered: this.saved.flatMap(({ alert, notifiers }) =>
        notifiers.filter((n) => !this.deliveries.has(deliveryKey(n, alert))).map((notifier) => ({
          notifier,
          alert,
        }))
      ),
    });
  }

  save(transitions: readonly Alert[], notifiers: readonly string[]): Promise<void> {
    if (this.fail.save > 0 && this.fail.save--) return Promise.reject(new Error("ClickHouse is down"));
    this.saved.push(...transitions.map((alert) => ({ alert, notifiers })));
    return Promise.resolve();
  }

  delivered(notifier: string, alerts: readonly Alert[]): Promise<void> {
    if (this.fail.delivered > 0 && this.fail.delivered--) {
      return Promise.reject(new Error("ClickHouse is down"));
    }
    for (const a of alerts) this.deliveries.add(deliveryKey(notifier, a));
    return Promise.resolve();
  }
}

const deliveryKey = (notifier: string, a: Alert) => `${notifier} ${a.alert_id} ${a.at}`;
