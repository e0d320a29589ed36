// CPU per request of the collector alone: parse-only, spool off, no broker, under wrk at its maximum,
// for comparing two versions of the request path on a shared machine. The rate depends on what else
// runs; the collector's CPU over the run ÷ its requests much less so. Run it for each checkout in turn,
// several rounds, and compare the rounds taken minutes apart (loadtest/RESULTS.md, "Collector without
// Hono on the batch route").
//
//   deno run -A loadtest/bench/collector_cpu.ts [--checkout DIR] [--events 1,20] [--seconds 5]
//     [--connections 64] [--workers 1]
//
// --checkout runs that checkout's collector (e.g. a `git worktree` of the commit to compare with),
// with this checkout's wrk and body.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { freePort, waitForHttp } from "../../lib/process.ts";
import { cpuDuring } from "./cpu.ts";
import { peakRssDuring } from "./rss.ts";
import { batchBody } from "./throughput.ts";
import { BROWSER_UA } from "./oha.ts";
import { ensureWrk, runWrk, type WrkRun } from "./wrk.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    checkout: { type: "string", default: fileURLToPath(new URL("../..", import.meta.url)) },
    events: { type: "string", default: "1,20" },
    seconds: { type: "string", default: "5" },
    connections: { type: "string", default: "64" },
    workers: { type: "string", default: "1" },
  },
});
await ensureWrk();
const port = await freePort();
const collector = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "--v8-flags=--max-semi-space-size=4", join(values.checkout!, "collector/main.ts")],
  cwd: values.checkout,
  env: {
    COLLECTOR_PORT: String(port),
    COLLECTOR_PARSE_ONLY: "1",
    COLLECTOR_SPOOL_DIR: "off",
    COLLECTOR_SALT_DIR: "off",
    COLLECTOR_WORKERS: values.workers!,
    KAFKA_BROKERS: "127.0.0.1:1", // never dialled: parse-only publishes nothing
  },
  stdout: "null",
  stderr: "null",
}).spawn();
try {
  const url = `http://127.0.0.1:${port}/v1/batch/parse-only`;
  await waitForHttp(`http://127.0.0.1:${port}/health`, {
    deadlineMs: 30_000,
    service: { name: "collector", pid: collector.pid, logFile: "(its output is discarded)" },
  });
  for (const events of values.events!.split(",").map(Number)) {
    const body = batchBody(events);
    // One request first: a refusal would measure the error path.
    const check = await fetch(url, {
      method: "POST",
      body,
      headers: { "Content-Type": "text/plain", "User-Agent": BROWSER_UA },
    });
    const answer = await check.json();
    if (check.status !== 202 || answer.accepted !== events) throw new Error(JSON.stringify(answer));
    await runWrk({ url, body, durationS: 2 }); // warm-up: JIT and heap
    const run: WrkRun = {};
    const { result: { result, cpu }, peakMb } = await peakRssDuring(collector.pid, () =>
      cpuDuring(
        () => ({ collector: collector.pid, wrk: run.pid }),
        () =>
          runWrk({
            url,
            body,
            durationS: Number(values.seconds),
            connections: Number(values.connections),
            run,
          }),
      ));
    const used = cpu.processes.collector.cores * cpu.seconds;
    const perRequest = (used / (result.rps * cpu.seconds)) * 1e6;
    console.log(
      `${events}-event: ${Math.round(result.rps)} req/s, ${perRequest.toFixed(1)} µs of CPU per request ` +
        `(${(perRequest / events).toFixed(1)} per event); collector ${
          cpu.processes.collector.cores.toFixed(2)
        } ` +
        `cores, wrk ${cpu.processes.wrk?.cores.toFixed(2)}, other processes ${
          cpu.machine.rest.toFixed(2)
        }; ` +
        `peak RSS ${peakMb.toFixed(0)} MB; ${result.errors} errors`,
    );
  }
} finally {
  collector.kill("SIGTERM");
  await collector.status;
}
