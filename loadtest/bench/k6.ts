// Runs loadtest/k6/bench.js and returns requests/s, latency percentiles and the failure rate.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const K6 = join(root, ".cache", "bin", "k6");

export type K6Result = {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  failed: number;
  requests: number;
};

export async function ensureK6(): Promise<void> {
  const { code } = await new Deno.Command("bash", { args: [join(root, "loadtest/k6/install.sh")] }).output();
  if (code !== 0) throw new Error("loadtest/k6/install.sh failed: k6 is needed for the benchmark");
}

export async function runK6(
  { url, body, vus = 64, durationS = 10, rate }: {
    url: string;
    body: string;
    vus?: number;
    durationS?: number;
    rate?: number;
  },
): Promise<K6Result> {
  const dir = await Deno.makeTempDir({ prefix: "shoptrail-k6-" });
  const bodyFile = join(dir, "body.json");
  const summary = join(dir, "summary.json");
  await Deno.writeTextFile(bodyFile, body);
  const out = await new Deno.Command(K6, {
    args: ["run", "--quiet", "--no-color", `--summary-export=${summary}`, join(root, "loadtest/k6/bench.js")],
    env: {
      URL: url,
      BODY_FILE: bodyFile,
      VUS: String(vus),
      DURATION: `${durationS}s`,
      ...(rate ? { RATE: String(rate) } : {}),
    },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (out.code !== 0 && out.code !== 99) { // 99: thresholds crossed, still a measurement
    throw new Error(`k6 failed (exit ${out.code}): ${new TextDecoder().decode(out.stderr).slice(-1000)}`);
  }
  const metrics = JSON.parse(await Deno.readTextFile(summary)).metrics;
  await Deno.remove(dir, { recursive: true });
  const duration = metrics.http_req_duration;
  return {
    rps: metrics.http_reqs.rate,
    requests: metrics.http_reqs.count,
    p50: duration["p(50)"],
    p95: duration["p(95)"],
    p99: duration["p(99)"],
    failed: metrics.http_req_failed?.value ?? 0,
  };
}
