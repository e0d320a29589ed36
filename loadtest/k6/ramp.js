// Ramp to max: raise the request rate step by step up to MAX_RPS and stop when errors or latency
// show the collector saturated. The rate reached before the abort is its maximum on this box.
//   COLLECTOR_URL=... MAX_RPS=8000 BATCH_SIZE=20 .cache/bin/k6 run loadtest/k6/ramp.js
import { postBatch } from "./lib/batch.js";

const MAX_RPS = Number(__ENV.MAX_RPS || 5000);
const STEP = __ENV.STEP || "20s";

export const options = {
  discardResponseBodies: false,
  scenarios: {
    ramp: {
      executor: "ramping-arrival-rate",
      startRate: Math.max(1, Math.round(MAX_RPS / 20)),
      timeUnit: "1s",
      preAllocatedVUs: Number(__ENV.VUS || 50),
      maxVUs: Number(__ENV.MAX_VUS || 400),
      stages: [0.25, 0.5, 0.75, 1, 1].map((f) => ({ target: Math.round(MAX_RPS * f), duration: STEP })),
    },
  },
  thresholds: {
    // Abort once the collector is past its limit; the summary shows the rate reached.
    http_req_failed: [{ threshold: "rate<0.05", abortOnFail: true, delayAbortEval: "10s" }],
    http_req_duration: [{ threshold: "p(99)<1000", abortOnFail: true, delayAbortEval: "10s" }],
    dropped_iterations: ["count<1000"],
  },
};

export default function () {
  postBatch();
}
