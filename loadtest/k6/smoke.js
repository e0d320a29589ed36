// Smoke: a few requests from two VUs to prove the collector answers and accepts valid batches.
//   COLLECTOR_URL=http://127.0.0.1:8080 .cache/bin/k6 run loadtest/k6/smoke.js
import { postBatch } from "./lib/batch.js";

export const options = {
  vus: 2,
  duration: __ENV.DURATION || "10s",
  thresholds: {
    checks: ["rate==1"],
    http_req_failed: ["rate<0.01"],
    http_req_duration: ["p(95)<500"],
  },
};

export default function () {
  postBatch();
}
