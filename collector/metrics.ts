// Prometheus text exposition without a dependency: counters and a histogram with labels, and
// gauges read at scrape time. One `Metrics` per app, so tests read their own numbers; the workers of
// one process (main.ts) each count their own and /metrics answers their sum (`Metrics.render`).
type Labels = Record<string, string>;

function render(labels: Labels): string {
  return Object.entries(labels).map(([k, v]) =>
    `${k}="${v.replace(/["\\\n]/g, (ch) => `\\${ch === "\n" ? "n" : ch}`)}"`
  )
    .join(",");
}

// Label sets come from closed lists (the route, method and status of every request, an event's
// outcome), so their rendered keys are remembered: rendering them on each count was ~3 % of a
// 1-event request's CPU. The bound only guards against a caller that breaks that rule.
const rendered = new Map<string, string>();

function key(labels: Labels): string {
  let id = "";
  for (const k in labels) id += `${k}\u0000${labels[k]}\u0001`;
  let text = rendered.get(id);
  if (text === undefined) {
    text = render(labels);
    if (rendered.size < 10_000) rendered.set(id, text);
  }
  return text;
}

export class Counter {
  readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}

  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ""} ${v}`);
    return lines;
  }
}

export type HistogramState = { counts: number[]; sum: number; count: number };

export class Histogram {
  #counts: number[];
  #sum = 0;
  #count = 0;
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {
    this.#counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.buckets.forEach((le, i) => {
      if (value <= le) this.#counts[i]++;
    });
    this.#sum += value;
    this.#count++;
  }

  get count(): number {
    return this.#count;
  }

  get state(): HistogramState {
    return { counts: [...this.#counts], sum: this.#sum, count: this.#count };
  }

  /** Adds another histogram's observations (same buckets), e.g. another worker's. */
  add(other: HistogramState): void {
    other.counts.forEach((n, i) => (this.#counts[i] += n));
    this.#sum += other.sum;
    this.#count += other.count;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket{le="${le}"} ${this.#counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.#count}`, `${this.name}_sum ${this.#sum}`);
    lines.push(`${this.name}_count ${this.#count}`);
    return lines;
  }
}

// Any token is a valid HTTP method and the client picks it, so a method label is one of those the
// collector answers or "other": each label value is a series kept for good, and /metrics is public.
const METHODS = new Set(["GET", "POST", "OPTIONS", "HEAD"]);

export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : "other";
}

export type GaugeReading = { name: string; help: string; value: number };

export class Metrics {
  readonly requests = new Counter("collector_requests_total", "HTTP requests by route and status");
  readonly events = new Counter(
    "collector_events_total",
    "Events by outcome (accepted, rejected, dropped) and reason",
  );
  readonly produceSeconds = new Histogram(
    "collector_kafka_produce_seconds",
    "Time from handing a batch to Kafka to its acknowledgement",
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  /** Read at scrape time, e.g. the spool's depth and bytes. */
  gauges: () => GaugeReading[] = () => [];

  /** Everything counted so far as plain data, which can cross to another worker. */
  snapshot(): MetricsSnapshot {
    return {
      requests: [...this.requests.values],
      events: [...this.events.values],
      produceSeconds: this.produceSeconds.state,
      gauges: this.gauges(),
    };
  }

  render(): string {
    return Metrics.render([this.snapshot()]);
  }

  /** The text exposition of the sum of several snapshots (one per worker): counters, histogram, gauges. */
  static render(snapshots: MetricsSnapshot[]): string {
    const sum = new Metrics();
    const gauges = new Map<string, GaugeReading>();
    for (const s of snapshots) {
      for (const [k, v] of s.requests) sum.requests.values.set(k, (sum.requests.values.get(k) ?? 0) + v);
      for (const [k, v] of s.events) sum.events.values.set(k, (sum.events.values.get(k) ?? 0) + v);
      sum.produceSeconds.add(s.produceSeconds);
      for (const g of s.gauges) {
        const seen = gauges.get(g.name);
        gauges.set(g.name, { ...g, value: (seen?.value ?? 0) + g.value });
      }
    }
    const lines = [...sum.requests.render(), ...sum.events.render(), ...sum.produceSeconds.render()];
    for (const g of gauges.values()) {
      lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`, `${g.name} ${g.value}`);
    }
    return lines.join("\n") + "\n";
  }
}

export type MetricsSnapshot = {
  requests: [string, number][];
  events: [string, number][];
  produceSeconds: HistogramState;
  gauges: GaugeReading[];
};
