// One POST body, sent as fast as VUS virtual users can (closed loop), or at RATE requests/s
// (constant arrival rate). Driven by loadtest/bench.ts, which reads the exported summary.
//   URL=... BODY_FILE=... VUS=64 DURATION=10s [RATE=2000] k6 run --summary-export=out.json bench.js
import http from "k6/http";
import { check } from "k6";

const body = open(__ENV.BODY_FILE);
const rate = Number(__ENV.RATE || 0);
const vus = Number(__ENV.VUS || 64);

export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ["avg", "p(50)", "p(95)", "p(99)", "max"],
  scenarios: {
    bench: rate > 0
      ? {
        executor: "constant-arrival-rate",
        rate,
        timeUnit: "1s",
        duration: __ENV.DURATION || "10s",
        preAllocatedVUs: vus,
        maxVUs: vus * 4,
      }
      : { executor: "constant-vus", vus, duration: __ENV.DURATION || "10s" },
  },
};

const params = { headers: { "Content-Type": "text/plain" } };

export default function () {
  const response = http.post(__ENV.URL, body, params);
  check(response, { "2xx": (r) => r.status >= 200 && r.status < 300 });
}
