// The alert state machine, pure: given the rules, what each rule observes now and what is
// firing, decide the transitions. An alert is one (rule, subject) pair — a partition, a site, a
// site's currency. It fires once when its value breaches the threshold, stays silent while it
// keeps breaching, and resolves once when the value is back or the subject has no data any more.
import { breaches, type Rule, RULE_KINDS } from "./rules.ts";

export type Observation = { subject: string; value: number; volume?: number };

export type Alert = {
  alert_id: string;
  rule: string;
  kind: Rule["kind"];
  severity: Rule["severity"];
  subject: string;
  status: "firing" | "resolved";
  value: number;
  threshold: number;
  /** When it started firing (Unix ms). */
  started_at: number;
  /** When this transition happened (Unix ms). */
  at: number;
  message: string;
};

/** Firing alerts by alert_id. */
export type AlertState = ReadonlyMap<string, Alert>;

export function alertId(rule: Rule, subject: string): string {
  return `${rule.id}:${subject}`;
}

function describe(rule: Rule, subject: string, value: number, status: Alert["status"]): string {
  const side = RULE_KINDS[rule.kind].fires;
  const op = side === "below" ? "<" : side === "abs" ? "|z| ≥" : ">";
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(4).replace(/0+$/, "");
  const what = `${rule.kind} of ${subject} is ${shown}`;
  return status === "firing"
    ? `${rule.id}: ${what} (${op} ${rule.threshold})`
    : `${rule.id}: resolved, ${what}`;
}

export function evaluate(
  { rules, observed, firing, now }: {
    rules: readonly Rule[];
    /** What each rule saw this round, by rule id; a rule missing here failed to read and is left as it was. */
    observed: ReadonlyMap<string, readonly Observation[]>;
    firing: AlertState;
    now: number;
  },
): { firing: Map<string, Alert>; transitions: Alert[] } {
  const next = new Map(firing);
  const transitions: Alert[] = [];
  for (const rule of rules) {
    const observations = observed.get(rule.id);
    if (!observations) continue;
    const seen = new Set<string>();
    for (const { subject, value } of observations) {
      const id = alertId(rule, subject);
      seen.add(id);
      const current = next.get(id);
      if (breaches(rule, value)) {
        if (current) {
          next.set(id, { ...current, value }); // still firing: update the value, publish nothing
          continue;
        }
        const alert: Alert = {
          alert_id: id,
          rule: rule.id,
          kind: rule.kind,
          severity: rule.severity,
          subject,
          status: "firing",
          value,
          threshold: rule.threshold,
          started_at: now,
          at: now,
          message: describe(rule, subject, value, "firing"),
        };
        next.set(id, alert);
        transitions.push(alert);
      } else if (current) {
        next.delete(id);
        transitions.push({
          ...current,
          status: "resolved",
          value,
          at: now,
          message: describe(rule, subject, value, "resolved"),
        });
      }
    }
    // Subjects that disappeared (no traffic any more, partition gone): the condition no longer holds.
    for (const [id, current] of firing) {
      if (current.rule === rule.id && !seen.has(id)) {
        next.delete(id);
        transitions.push({
          ...current,
          status: "resolved",
          at: now,
          message: `${rule.id}: resolved, no data for ${current.subject} any more`,
        });
      }
    }
  }
  // Rules removed from the file: their alerts resolve rather than fire forever.
  const ruleIds = new Set(rules.map((r) => r.id));
  for (const [id, current] of firing) {
    if (!ruleIds.has(current.rule)) {
      next.delete(id);
      transitions.push({
        ...current,
        status: "resolved",
        at: now,
        message: `${current.rule}: resolved, rule removed`,
      });
    }
  }
  return { firing: next, transitions };
}
