// What a simulator run is asked to do (SimulateOptions) and what it reports as it goes (Progress):
// shared by the simulator (simulate.ts) and its command line (args.ts), which import nothing of
// each other's.
import type { Clock } from "./clock.ts";
import type { Curve } from "./curve.ts";
import type { Anomaly, Faults, Funnel } from "./session.ts";

export type SimulateOptions = {
  collector: string;
  site: string;
  eps: number;
  durationMs: number;
  seed: number;
  signal?: AbortSignal;
  /** Most events per request (the contract allows 500). */
  batchSize?: number;
  maxInFlight?: number;
  /** How often due events are collected and sent. */
  tickMs?: number;
  /** Events waiting for a free slot beyond this are dropped (a browser's queue is bounded too). */
  maxQueue?: number;
  headers?: Record<string, string>;
  funnel?: Partial<Funnel>;
  curve?: Curve;
  /** Anomalies placed relative to the run's start: `{ kind: "spike", fromMs: 10_000, toMs: 20_000 }`. */
  anomalies?: readonly RunAnomaly[];
  faults?: Faults;
  /** Keep the accepted events, e.g. to compute the ground truth. */
  keepEvents?: boolean;
  onProgress?: (progress: Progress) => void;
  progressEveryMs?: number;
  clock?: Clock;
  fetch?: typeof fetch;
};

export type RunAnomaly = Omit<Anomaly, "from" | "to"> & { fromMs: number; toMs: number };

export type Progress = {
  elapsedMs: number;
  sent: number;
  accepted: number;
  rejected: number;
  /** Events given up on after retries (no answer, or retriable status every time). */
  failed: number;
  dropped: number;
  queued: number;
  inFlight: number;
  requests: number;
  retries: number;
  /** Events sent per second over the last second. */
  eps: number;
  p50: number;
  p99: number;
};
