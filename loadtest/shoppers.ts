// The shopper population: sessions arrive as a Poisson process whose rate follows a time-of-day
// curve and is calibrated so the stream averages `eps` events per second. Each arriving session
// is scripted whole (session.ts) and its events wait in a heap until they are due.
//
//   const shoppers = createShoppers({ seed: 42, start: clock.now(), eps: 200 });
//   shoppers.until(clock.now()); // every emission due before now, in order
import { buildCatalogue, type Catalogue } from "./catalogue.ts";
import { type Curve, flatCurve } from "./curve.ts";
import { MinHeap } from "./heap.ts";
import { Rng } from "./rng.ts";
import {
  type Anomaly,
  DEFAULT_FUNNEL,
  type Emission,
  type EmissionKind,
  type Faults,
  type Funnel,
  generateSession,
  type SessionContext,
} from "./session.ts";

export type ShopperOptions = {
  seed: number;
  /** Virtual time (ms since epoch) of the first possible session. */
  start: number;
  /** Mean shopper events per second; duplicates and order replays come on top. */
  eps: number;
  catalogue?: Catalogue;
  /** Used in page URLs: https://{site}.shop.example/... */
  site?: string;
  /** Product pages send product_view events (default); false: a shop counted by its product URLs. */
  productViewEvents?: boolean;
  funnel?: Partial<Funnel>;
  curve?: Curve;
  anomalies?: readonly Anomaly[];
  faults?: Faults;
  /**
   * Sessions begin this long before `start` and their earlier events are dropped, so the stream
   * is at full rate from the first second instead of ramping up while sessions fill in. Default:
   * 5 minutes, shortened at high rates to about 600k generated events.
   */
  warmupMs?: number;
};

export type Shoppers = {
  /** Every emission with `at` before `t` not yet returned, ordered by `at`. */
  until(t: number): Emission[];
  readonly stats: { sessions: number } & Record<EmissionKind, number>;
  /** Mean events per session (faults aside) measured at start; sessions per second = eps / this. */
  readonly eventsPerSession: number;
  readonly catalogue: Catalogue;
};

export function createShoppers(options: ShopperOptions): Shoppers {
  const catalogue = options.catalogue ?? buildCatalogue({ seed: options.seed });
  const curve = options.curve ?? flatCurve;
  const ctx: SessionContext = {
    catalogue,
    funnel: { ...DEFAULT_FUNNEL, ...options.funnel },
    anomalies: options.anomalies ?? [],
    faults: options.faults ?? {},
    origin: `https://${options.site ?? "demo"}.shop.example`,
    productViewEvents: options.productViewEvents ?? true,
    orders: { next: 0 },
  };
  const root = new Rng(options.seed);
  const rng = root.fork("sessions");
  const faultRng = root.fork("faults");
  const arrivals = root.fork("arrivals");
  const eventsPerSession = calibrate(ctx, root.fork("calibration"), options.start);
  const sessionsPerMs = options.eps / eventsPerSession / 1000;

  let seq = 0;
  const heap = new MinHeap<{ emission: Emission; seq: number }>((a, b) =>
    a.emission.at < b.emission.at || (a.emission.at === b.emission.at && a.seq < b.seq)
  );
  const stats = { sessions: 0, event: 0, duplicate: 0, late: 0, replay: 0 };
  const gap = (t: number) => arrivals.exponential(1 / (sessionsPerMs * Math.max(curve(t), 1e-6)));
  const warmupMs = options.warmupMs ?? Math.min(300_000, (600_000 / Math.max(options.eps, 1)) * 1000);
  let nextArrival = options.start - warmupMs + gap(options.start - warmupMs);

  return {
    stats,
    eventsPerSession,
    catalogue,
    until(t) {
      if (options.eps <= 0) return [];
      while (nextArrival < t) {
        const start = Math.round(nextArrival);
        for (const e of generateSession(ctx, rng, faultRng, start)) {
          if (e.at >= options.start) heap.push({ emission: e, seq: seq++ });
        }
        stats.sessions++;
        nextArrival += gap(nextArrival);
      }
      const due: Emission[] = [];
      while (heap.size > 0 && heap.peek()!.emission.at < t) {
        const { emission } = heap.pop()!;
        stats[emission.kind]++;
        due.push(emission);
      }
      return due;
    },
  };
}

/** Mean events per session over a sample, with the same funnel but no anomalies or faults. */
function calibrate(ctx: SessionContext, rng: Rng, start: number, sample = 2_000): number {
  const sampleCtx = { ...ctx, anomalies: [], faults: {}, orders: { next: 0 } };
  let events = 0;
  for (let i = 0; i < sample; i++) events += generateSession(sampleCtx, rng, rng, start).length;
  return events / sample;
}
