// The traffic simulator: shoppers from shoppers.ts, sent to a collector at a target rate with a
// bounded number of requests in flight. Events due in a tick are grouped by browser (one
// User-Agent per request, as from a real browser) into batches; when every slot is busy they
// wait in a bounded queue, so a slow collector shows up as lower eps and higher latency.
//
//   deno run -A loadtest/simulate.ts --collector http://127.0.0.1:8080 --site demo --eps 200 \
//     --duration 30s --seed 42 --truth .data/truth.json --anomaly spike
import type { Event } from "../contract/mod.ts";
import { parseCli, USAGE } from "./args.ts";
import { productRows, userRows } from "./catalogue.ts";
import { systemClock } from "./clock.ts";
import { sendBatch } from "./send.ts";
import { createShoppers } from "./shoppers.ts";
import { LatencyHistogram, RateWindow } from "./stats.ts";
import type { Progress, SimulateOptions } from "./run_options.ts";
import { summaryTruth } from "./truth/summary.ts";

export type { Progress, RunAnomaly, SimulateOptions } from "./run_options.ts";

export type Summary = Progress & {
  start: number;
  meanEps: number;
  errors: Record<string, number>;
  events?: Event[];
};

export async function simulate(options: SimulateOptions): Promise<Summary> {
  const clock = options.clock ?? systemClock;
  const { batchSize = 100, maxInFlight = 16, tickMs = 100, progressEveryMs = 250, signal } = options;
  const maxQueue = options.maxQueue ?? Math.max(10_000, options.eps * 30);
  const url = new URL("/v1/batch", options.collector).toString();
  const start = clock.now();
  const end = start + options.durationMs;
  const shoppers = createShoppers({
    seed: options.seed,
    start,
    eps: options.eps,
    site: options.site,
    funnel: options.funnel,
    curve: options.curve,
    anomalies: options.anomalies?.map(({ fromMs, toMs, ...a }) => ({
      ...a,
      from: start + fromMs,
      to: start + toMs,
    })),
    faults: options.faults,
  });

  const p = { sent: 0, accepted: 0, rejected: 0, failed: 0, dropped: 0, queued: 0, requests: 0, retries: 0 };
  const errors: Record<string, number> = {};
  const latency = new LatencyHistogram();
  const rate = new RateWindow(1_000);
  const kept: Event[] = [];
  const queue = new Map<string, Event[]>(); // by user agent
  const inFlight = new Set<Promise<void>>();

  const enqueue = (now: number) => {
    for (const { event, userAgent } of shoppers.until(now)) {
      if (p.queued >= maxQueue) {
        p.dropped++;
        continue;
      }
      const list = queue.get(userAgent);
      if (list) list.push(event);
      else queue.set(userAgent, [event]);
      p.queued++;
    }
  };
  const dispatch = (userAgent: string, events: Event[]) => {
    p.sent += events.length;
    p.requests++;
    rate.record(clock.now(), events.length);
    const request = sendBatch({
      url,
      site: options.site,
      events,
      userAgent,
      headers: options.headers,
      clock,
      signal,
      fetch: options.fetch,
    })
      .then((d) => {
        d.latencies.forEach((ms) => latency.record(ms));
        p.retries += d.attempts - 1;
        const ok = d.accepted.filter(Boolean).length;
        if (d.status >= 200 && d.status < 300) {
          p.accepted += ok;
          p.rejected += events.length - ok;
        } else if (d.status === 0 || d.status === 429 || d.status >= 500) p.failed += events.length;
        else p.rejected += events.length;
        if (d.error) errors[d.error] = (errors[d.error] ?? 0) + 1;
        if (options.keepEvents) events.forEach((e, i) => d.accepted[i] && kept.push(e));
      })
      .finally(() => {
        inFlight.delete(request);
        pump();
      });
    inFlight.add(request);
  };
  const pump = () => {
    while (inFlight.size < maxInFlight && p.queued > 0 && !signal?.aborted) {
      const [userAgent, list] = queue.entries().next().value!;
      const batch = list.splice(0, batchSize);
      queue.delete(userAgent);
      if (list.length > 0) queue.set(userAgent, list); // to the back of the line
      p.queued -= batch.length;
      dispatch(userAgent, batch);
    }
  };
  const snapshot = (): Progress => ({
    ...p,
    elapsedMs: clock.now() - start,
    inFlight: inFlight.size,
    eps: rate.perSecond(clock.now()),
    p50: latency.quantile(0.5),
    p99: latency.quantile(0.99),
  });

  let lastProgress = -Infinity;
  while (!signal?.aborted) {
    const now = clock.now();
    enqueue(Math.min(now, end));
    pump();
    if (options.onProgress && now - lastProgress >= progressEveryMs) {
      lastProgress = now;
      options.onProgress(snapshot());
    }
    if (now >= end) break;
    await clock.sleep(Math.min(tickMs, end - now), signal);
  }
  while (inFlight.size > 0) await Promise.race(inFlight);
  if (signal?.aborted) {
    p.dropped += p.queued;
    p.queued = 0;
  }

  const summary = snapshot();
  options.onProgress?.(summary);
  return {
    ...summary,
    start,
    meanEps: summary.elapsedMs > 0 ? (summary.sent * 1000) / summary.elapsedMs : 0,
    errors,
    ...(options.keepEvents ? { events: kept } : {}),
  };
}

export function formatProgress(p: Progress): string {
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  return `${(p.elapsedMs / 1000).toFixed(1)}s  sent ${n(p.sent)}  accepted ${n(p.accepted)}  ` +
    `rejected ${n(p.rejected)}  failed ${n(p.failed)}  ${n(p.eps)} ev/s  ` +
    `p50 ${p.p50.toFixed(1)} ms  p99 ${p.p99.toFixed(1)} ms  in-flight ${p.inFlight}  queued ${n(p.queued)}`;
}

async function main(args: string[]): Promise<number> {
  const cli = parseCli(args);
  if ("help" in cli) {
    console.log(USAGE);
    return 0;
  }
  if ("error" in cli) {
    console.error(`${cli.error}\n\n${USAGE}`);
    return 2;
  }
  if (cli.catalogueOut || cli.usersOut) {
    const { buildCatalogue } = await import("./catalogue.ts");
    const catalogue = buildCatalogue({ seed: cli.options.seed });
    if (cli.catalogueOut) await Deno.writeTextFile(cli.catalogueOut, productRows(catalogue));
    if (cli.usersOut) await Deno.writeTextFile(cli.usersOut, userRows(catalogue));
    console.log(
      `Wrote ${[cli.catalogueOut, cli.usersOut].filter(Boolean).join(" and ")} (seed ${cli.options.seed})`,
    );
    if (!cli.send) return 0;
  }

  const controller = new AbortController();
  const onSignal = () => controller.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  const tty = Deno.stdout.isTerminal();
  const encoder = new TextEncoder();
  let lastLine = 0;
  const summary = await simulate({
    ...cli.options,
    signal: controller.signal,
    keepEvents: Boolean(cli.truthOut),
    progressEveryMs: tty ? 250 : 5_000,
    onProgress: (p) => {
      if (tty) Deno.stdout.writeSync(encoder.encode(`\r\x1b[2K${formatProgress(p)}`));
      else if (p.elapsedMs - lastLine >= 5_000) console.log(formatProgress(p));
      lastLine = p.elapsedMs;
    },
  });
  Deno.removeSignalListener("SIGINT", onSignal);
  if (tty) console.log();

  console.log(
    `Done: ${summary.sent} events in ${summary.requests} requests over ${
      (summary.elapsedMs / 1000).toFixed(1)
    } s ` +
      `(${summary.meanEps.toFixed(0)} ev/s mean, target ${cli.options.eps}); accepted ${summary.accepted}, ` +
      `rejected ${summary.rejected}, failed ${summary.failed}, dropped ${summary.dropped}, retries ${summary.retries}; ` +
      `latency p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms`,
  );
  if (Object.keys(summary.errors).length > 0) console.log(`Errors: ${JSON.stringify(summary.errors)}`);
  if (cli.truthOut) {
    const truth = summaryTruth(summary.events ?? []);
    const run = {
      seed: cli.options.seed,
      site: cli.options.site,
      eps: cli.options.eps,
      start: summary.start,
      duration_ms: cli.options.durationMs,
      anomalies: cli.options.anomalies ?? [],
      faults: cli.options.faults ?? {},
    };
    await Deno.writeTextFile(cli.truthOut, JSON.stringify({ run, ...truth }, null, 2) + "\n");
    console.log(`Wrote ground truth of ${truth.events} accepted unique events to ${cli.truthOut}`);
  }
  return summary.failed > 0 && summary.accepted === 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
