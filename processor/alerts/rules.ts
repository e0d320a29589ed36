// The alert rules file (processor/alerts.json, or ALERTS_CONFIG): which conditions to watch, their
// thresholds and windows, how often to evaluate and where to send transitions besides Kafka.
import { z } from "zod";
import { fileURLToPath } from "node:url";

export const DEFAULT_RULES_FILE = fileURLToPath(new URL("../alerts.json", import.meta.url));

/** Each kind, what its value is and which side of the threshold fires. */
export const RULE_KINDS = {
  consumer_lag: { fires: "above", value: "messages behind, per events partition" },
  conversion_rate: {
    fires: "below",
    value: "purchasers / viewers (distinct users) per site over the window",
  },
  cart_abandonment: { fires: "above", value: "share of decided cart sessions that were abandoned, per site" },
  ingest_errors: { fires: "above", value: "unparseable Kafka messages per minute over the window" },
  consumer_errors: {
    fires: "above",
    value: "errors of ClickHouse's Kafka consumers over the window (a failing view, the broker)",
  },
  dlq_rate: { fires: "above", value: "events the collector sent to the DLQ topic, per minute" },
  revenue_anomaly: {
    fires: "abs",
    value: "z-score of the last complete 5-minute revenue bucket, per site and currency",
  },
} as const;
export type RuleKind = keyof typeof RULE_KINDS;

const Rule = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, '-' and '_'"),
  kind: z.enum(Object.keys(RULE_KINDS) as [RuleKind, ...RuleKind[]]),
  threshold: z.number().finite(),
  /** How far back the value looks (conversion, abandonment, error rates). */
  windowSeconds: z.number().int().positive().max(7 * 86_400).default(600),
  /** Below this volume (viewers, cart sessions) a rate is noise and the rule stays quiet. */
  minVolume: z.number().int().nonnegative().default(0),
  severity: z.enum(["info", "warning", "critical"]).default("warning"),
  description: z.string().optional(),
});
export type Rule = z.infer<typeof Rule>;

export const RulesFile = z.object({
  evaluateEverySeconds: z.number().positive().max(3600).default(15),
  webhook: z.object({ url: z.url(), timeoutMs: z.number().int().positive().default(5000) }).optional(),
  rules: z.array(Rule).refine(
    (rules) => new Set(rules.map((r) => r.id)).size === rules.length,
    "rule ids must be unique",
  ),
});
export type RulesFile = z.infer<typeof RulesFile>;

export function parseRules(text: string, source = "alert rules"): RulesFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
  const parsed = RulesFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join(
      "; ",
    );
    throw new Error(`${source} is not valid: ${problems}`);
  }
  return parsed.data;
}

export async function readRules(path = DEFAULT_RULES_FILE): Promise<RulesFile> {
  return parseRules(await Deno.readTextFile(path), path);
}

/** Whether a value breaches the rule's threshold. */
export function breaches(rule: Rule, value: number): boolean {
  const side = RULE_KINDS[rule.kind].fires;
  if (side === "below") return value < rule.threshold;
  if (side === "abs") return Math.abs(value) >= rule.threshold;
  return value > rule.threshold;
}
