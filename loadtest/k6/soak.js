// Soak: a constant arrival rate for a long time, to catch leaks, spool growth and slow drift.
//   COLLECTOR_URL=... RATE=500 DURATION=30m .cache/bin/k6 run loadtest/k6/soak.js
import { postBatch } from "./lib/batch.js";

export const options = {
  scenarios: {
    soak: {
      executor: "constant-arrival-rate",
      rate: Number(__ENV.RATE || 200),
      timeUnit: "1s",
      duration: __ENV.DURATION || "10m",
      preAllocatedVUs: Number(__ENV.VUS || 20),
      maxVUs: Number(__ENV.MAX_VUS || 200),
    },
  },
  thresholds: {
    checks: ["rate>0.999"],
    http_req_failed: ["rate<0.001"],
    http_req_duration: ["p(95)<100", "p(99)<250"],
    dropped_iterations: ["count==0"],
  },
};

export default function () {
  postBatch();
}
