// Runs the rules on a schedule inside the processor: observe every rule, evaluate, store the
// transitions, hand them to each notifier in order (an outbox per notifier, so a down webhook delays
// but does not lose them; stored, so a restart does not either), and keep what the dashboard shows:
// firing alerts and recent transitions.
import { type Alert, evaluate, type Observation } from "./evaluate.ts";
import type { Notifier } from "./notify.ts";
import type { AlertStore } from "./store.ts";
import { observe, type ObserveSources, READS_EVENTS } from "./observe.ts";
import { breaches, type Rule, type RulesFile } from "./rules.ts";
import { createLogger, type Logger } from "../../lib/log.ts";

const HELD = "held while ClickHouse catches up on Kafka (a consumer-lag rule breaches)";

export type AlertServiceOptions = {
  config: RulesFile;
  sources: ObserveSources;
  notifiers: Notifier[];
  /**
   * Keeps firing alerts, transitions and the deliveries not yet acknowledged across restarts; without
   * one they live in memory only.
   */
  store?: AlertStore;
  clock?: () => number;
  /** How many past transitions the dashboard lists. */
  keepRecent?: number;
  log?: Logger;
};

export type AlertsView = {
  evaluatedAt: number | null;
  everySeconds: number;
  rules: { id: string; kind: string; threshold: number; windowSeconds: number; error?: string }[];
  firing: Alert[];
  recent: Alert[];
};

export class AlertService {
  #o: Required<Omit<AlertServiceOptions, "store">> & Pick<AlertServiceOptions, "store">;
  #loaded = false;
  #firing = new Map<string, Alert>();
  #recent: Alert[] = [];
  #outbox = new Map<string, Alert[]>();
  /** Transitions whose write failed, written again (before the next ones) each round. */
  #unsaved: Alert[] = [];
  /** Deliveries made whose acknowledgement's write failed, by notifier, written again each round. */
  #unacked = new Map<string, Alert[]>();
  #errors = new Map<string, string>();
  #evaluatedAt: number | null = null;
  #timer?: ReturnType<typeof setTimeout>;
  #running?: Promise<void>;

  constructor(o: AlertServiceOptions) {
    this.#o = { clock: Date.now, keepRecent: 50, log: createLogger("alerts"), ...o };
    for (const n of o.notifiers) this.#outbox.set(n.name, []);
  }

  async #observe(rules: Rule[], observed: Map<string, Observation[]>, now: number): Promise<void> {
    await Promise.all(rules.map(async (rule) => {
      try {
        observed.set(rule.id, await observe(rule, this.#o.sources, now));
        this.#errors.delete(rule.id);
      } catch (error) {
        this.#setError(rule.id, (error as Error).message);
      }
    }));
  }

  #setError(ruleId: string, message: string): void {
    if (this.#errors.get(ruleId) !== message) {
      this.#o.log.warn("rule not evaluated", { rule: ruleId, reason: message });
    }
    this.#errors.set(ruleId, message);
  }

  /**
   * The state the previous run left: what was firing stays firing, without a second notification, and
   * what a notifier had not accepted goes back into its outbox, oldest first. Every such transition, not
   * only the newest of each alert: a checkout broken for twenty minutes while the webhook was down is
   * still news once it resolved (how long, since when), a resolution without its firing reads as noise,
   * and the alerts topic is the record. A receiver may get one twice (a crash after the send, before its
   * acknowledgement is stored): alert_id and at identify a transition.
   */
  async #load(): Promise<void> {
    if (this.#loaded || !this.#o.store) return;
    const { firing, recent, undelivered } = await this.#o.store.load(this.#o.keepRecent);
    this.#firing = new Map(firing.map((a) => [a.alert_id, a]));
    this.#recent = recent;
    this.#loaded = true;
    if (firing.length > 0) {
      this.#o.log.info("alerts still firing", { alert_ids: firing.map((a) => a.alert_id) });
    }
    const dropped = new Set<string>();
    for (const { notifier, alert } of undelivered) {
      const outbox = this.#outbox.get(notifier);
      if (outbox) outbox.push(alert);
      else dropped.add(notifier);
    }
    for (const [notifier, outbox] of this.#outbox) {
      if (outbox.length > 0) {
        this.#o.log.info("alerts not delivered before the restart", { notifier, waiting: outbox.length });
      }
    }
    // A notifier no longer configured (the webhook URL removed): nobody to send its backlog to.
    if (dropped.size > 0) {
      this.#o.log.warn("undelivered alerts of notifiers no longer configured", { notifiers: [...dropped] });
    }
  }

  /** One evaluation round; returns the transitions it made. */
  async tick(): Promise<Alert[]> {
    // Nothing is evaluated before the stored state is read: a round on an empty state would fire again.
    await this.#load();
    const now = this.#o.clock();
    const observed = new Map<string, Observation[]>();
    const { rules } = this.#o.config;
    // Lag first: while ClickHouse is behind on Kafka past a consumer-lag rule's threshold, the rules
    // that read events are held (not evaluated; their alerts stay as they are): over a half-read
    // backlog their numbers are wrong (a conversion rate before the purchases arrived), and the
    // catch-up gets the CPU their queries would take (revenue_anomaly reads the whole history).
    const lagRules = rules.filter((r) => r.kind === "consumer_lag");
    await this.#observe(lagRules, observed, now);
    const behind = lagRules.some((rule) => observed.get(rule.id)?.some((o) => breaches(rule, o.value)));
    const held = behind ? rules.filter((r) => READS_EVENTS.has(r.kind)) : [];
    for (const rule of held) this.#setError(rule.id, HELD);
    await this.#observe(rules.filter((r) => !lagRules.includes(r) && !held.includes(r)), observed, now);
    const { firing, transitions } = evaluate({
      rules: this.#o.config.rules,
      observed,
      firing: this.#firing,
      now,
    });
    await this.#save(transitions);
    this.#firing = firing;
    this.#evaluatedAt = now;
    this.#recent = [...transitions.toReversed(), ...this.#recent].slice(0, this.#o.keepRecent);
    for (const t of transitions) {
      this.#o.log.info(`alert ${t.status}`, { alert_id: t.alert_id, detail: t.message });
    }
    for (const outbox of this.#outbox.values()) outbox.push(...transitions);
    await this.#deliver();
    return transitions;
  }

  /**
   * Stored before it is delivered, with the notifiers it is owed to: a restart in between re-queues it
   * (clickhouse/017_alerts.sql). A failed write (ClickHouse down) does not hold the delivery back, the
   * owner is told all the same; the transition is written again, before the next ones, every round until
   * it is. Only a restart before then forgets it: the restarted service may then fire that alert again.
   */
  async #save(transitions: readonly Alert[]): Promise<void> {
    const store = this.#o.store;
    if (!store) return;
    const pending = [...this.#unsaved, ...transitions];
    if (pending.length === 0) return;
    try {
      await store.save(pending, this.#o.notifiers.map((n) => n.name));
      this.#unsaved = [];
    } catch (error) {
      // Said once per transition, not every round of an outage.
      const more = pending.length > this.#unsaved.length;
      this.#unsaved = pending;
      if (more) {
        this.#o.log.error(
          "alert state not saved: written again next round; a restart before may fire these again",
          {
            alert_ids: pending.map((t) => t.alert_id),
            error: (error as Error).message,
          },
        );
      }
    }
  }

  async #deliver(): Promise<void> {
    for (const notifier of this.#o.notifiers) {
      const outbox = this.#outbox.get(notifier.name)!;
      const sent = [...(this.#unacked.get(notifier.name) ?? [])];
      while (outbox.length > 0) {
        try {
          await notifier.send([outbox[0]]);
          sent.push(outbox.shift()!);
        } catch (error) {
          this.#o.log.warn("alert delivery failed", {
            notifier: notifier.name,
            waiting: outbox.length,
            error: (error as Error).message,
          });
          break;
        }
      }
      await this.#acknowledge(notifier.name, sent);
    }
  }

  /** Stores that `notifier` accepted `sent`; kept for the next round when the write fails. */
  async #acknowledge(notifier: string, sent: Alert[]): Promise<void> {
    if (!this.#o.store || sent.length === 0) return;
    try {
      await this.#o.store.delivered(notifier, sent);
      this.#unacked.delete(notifier);
    } catch (error) {
      const more = sent.length > (this.#unacked.get(notifier)?.length ?? 0);
      this.#unacked.set(notifier, sent);
      if (more) {
        this.#o.log.error(
          "alert delivery not recorded: written again next round; a restart before sends it again",
          {
            notifier,
            alert_ids: sent.map((a) => a.alert_id),
            error: (error as Error).message,
          },
        );
      }
    }
  }

  /** Evaluates every `evaluateEverySeconds`, one round at a time (a slow round delays the next). */
  start(): void {
    const every = this.#o.config.evaluateEverySeconds * 1000;
    const loop = () => {
      this.#running = this.tick().then(
        () => {},
        (e) => this.#o.log.error("alert round failed", { error: (e as Error).message }),
      )
        .finally(() => {
          if (this.#timer !== undefined) this.#timer = setTimeout(loop, every);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    for (const n of this.#o.notifiers) await n.close?.();
  }

  view(): AlertsView {
    return {
      evaluatedAt: this.#evaluatedAt,
      everySeconds: this.#o.config.evaluateEverySeconds,
      rules: this.#o.config.rules.map((r) => ({
        id: r.id,
        kind: r.kind,
        threshold: r.threshold,
        windowSeconds: r.windowSeconds,
        ...(this.#errors.has(r.id) ? { error: this.#errors.get(r.id) } : {}),
      })),
      firing: [...this.#firing.values()],
      recent: this.#recent,
    };
  }
}
