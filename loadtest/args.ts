// Command-line flags of simulate.ts, turned into SimulateOptions. Kept apart so it is testable.
import { parseArgs } from "node:util";
import { dailyCurve, flatCurve } from "./curve.ts";
import type { RunAnomaly, SimulateOptions } from "./run_options.ts";

export const USAGE = `Usage: deno run -A loadtest/simulate.ts [flags]

  --collector URL        collector base URL (default http://127.0.0.1:8080)
  --site ID              site id in each batch (default demo)
  --eps N                target events per second (default 200)
  --duration D           run time: 30s, 5m, 1h, 500ms (default 30s)
  --seed N               seed for a reproducible run (default 42)
  --batch N              most events per request, <= 500 (default 100)
  --in-flight N          most concurrent requests (default 16)
  --curve flat|daily     time-of-day traffic curve (default flat: eps is constant)
  --anomaly KIND         spike, drop or broken_checkout, during the middle third of the run
  --anomaly-factor X     strength of spike/drop (default 3 for spike, 5 for drop)
  --duplicates SHARE     share of events re-sent with the same event_id, e.g. 0.02
  --late SHARE           share of events with ts far behind (see --late-by)
  --late-by D            how far behind late events are (default 10m)
  --order-replays SHARE  share of purchases re-fired with a new event_id, same order_id
  --header "K: V"        extra request header, repeatable (write keys, Origin)
  --truth FILE           write the ground truth of the accepted events as JSON
  --catalogue-out FILE   write the products as JSONEachRow (id, name, category, price)
  --users-out FILE       write the users with accounts as JSONEachRow
  --help`;

type CliOptions = Omit<SimulateOptions, "signal" | "onProgress" | "clock" | "fetch">;
export type Cli =
  | { help: true }
  | { error: string }
  | { options: CliOptions; send: boolean; truthOut?: string; catalogueOut?: string; usersOut?: string };

export function parseCli(args: string[]): Cli {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      options: {
        collector: { type: "string" },
        site: { type: "string", default: "demo" },
        eps: { type: "string", default: "200" },
        duration: { type: "string", default: "30s" },
        seed: { type: "string", default: "42" },
        batch: { type: "string", default: "100" },
        "in-flight": { type: "string", default: "16" },
        curve: { type: "string", default: "flat" },
        anomaly: { type: "string" },
        "anomaly-factor": { type: "string" },
        duplicates: { type: "string", default: "0" },
        late: { type: "string", default: "0" },
        "late-by": { type: "string", default: "10m" },
        "order-replays": { type: "string", default: "0" },
        header: { type: "string", multiple: true, default: [] },
        truth: { type: "string" },
        "catalogue-out": { type: "string" },
        "users-out": { type: "string" },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (e) {
    return { error: (e as Error).message };
  }
  if (parsed.help) return { help: true };

  const errors: string[] = [];
  const num = (flag: string, value: string, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      errors.push(`--${flag} is '${value}', expected a number from ${min} to ${max}`);
    }
    return n;
  };
  const durationMs = parseDuration(parsed.duration);
  if (durationMs === undefined) errors.push(`--duration is '${parsed.duration}', expected e.g. 30s, 5m, 1h`);
  const lateByMs = parseDuration(parsed["late-by"]);
  if (lateByMs === undefined) errors.push(`--late-by is '${parsed["late-by"]}', expected e.g. 10m`);
  if (!["flat", "daily"].includes(parsed.curve)) {
    errors.push(`--curve is '${parsed.curve}', expected flat or daily`);
  }
  const headers: Record<string, string> = {};
  for (const h of parsed.header) {
    const i = h.indexOf(":");
    if (i <= 0) errors.push(`--header is '${h}', expected 'Name: value'`);
    else headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const kinds = ["spike", "drop", "broken_checkout"];
  if (parsed.anomaly && !kinds.includes(parsed.anomaly)) {
    errors.push(`--anomaly is '${parsed.anomaly}', expected one of ${kinds.join(", ")}`);
  }

  const options: CliOptions = {
    collector: parsed.collector ?? "http://127.0.0.1:8080",
    site: parsed.site,
    eps: num("eps", parsed.eps, 0, 10_000_000),
    durationMs: durationMs ?? 0,
    seed: num("seed", parsed.seed, 0, 2 ** 32 - 1),
    batchSize: num("batch", parsed.batch, 1, 500),
    maxInFlight: num("in-flight", parsed["in-flight"], 1, 10_000),
    curve: parsed.curve === "daily" ? dailyCurve() : flatCurve,
    headers,
    faults: {
      duplicates: num("duplicates", parsed.duplicates, 0, 1),
      late: num("late", parsed.late, 0, 1),
      lateByMs: lateByMs ?? 0,
      orderReplays: num("order-replays", parsed["order-replays"], 0, 1),
    },
  };
  if (parsed.anomaly) {
    options.anomalies = [{
      kind: parsed.anomaly as RunAnomaly["kind"],
      fromMs: Math.round(options.durationMs / 3),
      toMs: Math.round((options.durationMs * 2) / 3),
      ...(parsed["anomaly-factor"]
        ? { factor: num("anomaly-factor", parsed["anomaly-factor"], 0.01, 1000) }
        : {}),
    }];
  }
  if (errors.length > 0) return { error: errors.join("\n") };
  return {
    options,
    send: parsed.collector !== undefined || !(parsed["catalogue-out"] || parsed["users-out"]),
    truthOut: parsed.truth,
    catalogueOut: parsed["catalogue-out"],
    usersOut: parsed["users-out"],
  };
}

/** "30s", "5m", "1h", "250ms" or plain seconds, to ms; undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"]!;
  return Math.round(Number(match[1]) * unit);
}
