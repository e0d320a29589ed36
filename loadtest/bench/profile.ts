// Profiles the collector while it, not the load generator, is the saturated process: the pipeline
// as the bench starts it, its collector restarted under the V8 inspector, then for each case
// (parse-only and publish, 1- and 20-event batches) a warm-up, and a CPU profile taken over a wrk run
// at maximum load, with the CPU of every process in that window. Profiles go under --out (git-ignored
// .data/ by default); the summary (stages, top functions) is printed as Markdown.
//
// With --perf, Linux perf samples the collector instead (on-CPU time of every thread, the Deno binary's
// own code and the kernel included, which the V8 profiler sees only as "(program)"), with
// --perf-basic-prof so JIT-compiled JavaScript has names; the summary is the split by binary and the
// top symbols.
//
//   deno run -A loadtest/bench/profile.ts [--seconds 10] [--interval-us 250] [--perf] [--out DIR]
//     [--connections N] [--cases parse-only-1,parse-only-20,publish-1,publish-20]
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { brokerPid } from "../../kafka/broker.ts";
import { freePort, readPid, stopPid, waitForHttp } from "../../lib/process.ts";
import { startPipeline, stopPipeline } from "../../stack/pipeline.ts";
import { cpuDuring } from "./cpu.ts";
import { type CpuProfile, summarise, summaryText } from "./cpu_profile.ts";
import { batchBody, PUBLISH_CONNECTIONS, WRK } from "./throughput.ts";
import { ensureWrk, runWrk } from "./wrk.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** A minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
async function inspector(port: number) {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const socket = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let next = 0;
  const waiting = new Map<number, (m: { result?: unknown; error?: unknown }) => void>();
  socket.onmessage = (e) => {
    const message = JSON.parse(e.data);
    if (message.id !== undefined) waiting.get(message.id)?.(message);
  };
  return {
    async send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = ++next;
      const reply = await new Promise<{ result?: unknown; error?: unknown }>((resolve) => {
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      });
      waiting.delete(id);
      if (reply.error) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
      return reply.result as T;
    },
    close: () => socket.close(),
  };
}

/** perf's split of the samples by binary (JIT code is `perf-PID.map`), then the top symbols. */
async function perfSummary(file: string): Promise<string> {
  const report = async (sort: string) => {
    const out = await new Deno.Command("perf", {
      args: [
        "report",
        "-i",
        file,
        "--no-children",
        "--sort",
        sort,
        "--stdio",
        "-g",
        "none",
        "--percent-limit",
        "0.7",
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).split("\n").filter((l) => /^\s+\d/.test(l)).map((l) =>
      l.trim()
    );
  };
  return [
    "perf, by thread name (deno: the main thread, JavaScript and the HTTP server):",
    "```",
    ...await report("comm"),
    "```",
    "perf, by binary:",
    "```",
    ...await report("dso"),
    "```",
    "perf, top symbols:",
    "```",
    ...(await report("dso,sym")).slice(0, 30),
    "```",
  ].join("\n");
}

async function main() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seconds: { type: "string", default: "10" },
      "interval-us": { type: "string", default: "250" },
      perf: { type: "boolean", default: false },
      connections: { type: "string" }, // default: the bench's (64, publishing 512)
      cases: { type: "string", default: "parse-only-1,parse-only-20,publish-1,publish-20" },
      out: { type: "string", default: join(root, ".data", "bench", `profiles-${Date.now()}`) },
    },
  });
  const seconds = Number(values.seconds);
  const cases = values.cases!.split(",");
  await ensureWrk();
  await Deno.mkdir(values.out!, { recursive: true });
  const dataRoot = await Deno.makeTempDir({ prefix: "shoptrail-profile-" });
  const run = join(dataRoot, "run");
  const ports = {
    kafkaPort: await freePort(),
    kafkaControllerPort: await freePort(),
    processorPort: await freePort(),
    collectorPort: await freePort(),
  };
  console.error(`» pipeline under ${dataRoot}`);
  const pipeline = await startPipeline({ dataRoot, ...ports, env: { COLLECTOR_PARSE_ONLY: "true" } });
  let collector: Deno.ChildProcess | undefined;
  try {
    // The pipeline's collector, restarted with the inspector on: same settings, same spool, one request
    // worker (the inspector follows the main thread's isolate; every worker runs the same code).
    await stopPid(join(run, "collector.pid"));
    const inspectPort = await freePort();
    const perf = values.perf!;
    collector = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        ...(perf ? [] : [`--inspect=127.0.0.1:${inspectPort}`]),
        join(root, "collector/main.ts"),
      ],
      env: {
        ...pipeline.env,
        COLLECTOR_WORKERS: "1",
        ...(perf ? { DENO_V8_FLAGS: "--perf-basic-prof" } : {}),
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForHttp(`${pipeline.collectorUrl}/health`, {
      deadlineMs: 30_000,
      service: { name: "collector", pid: collector.pid, logFile: "(not kept)" },
    });
    const cdp = perf ? undefined : await inspector(inspectPort);
    await cdp?.send("Profiler.enable");
    await cdp?.send("Profiler.setSamplingInterval", { interval: Number(values["interval-us"]) });
    const pids = {
      collector: collector.pid,
      broker: brokerPid(join(dataRoot, "kafka")),
      processor: readPid(join(run, "processor.pid")),
    };
    const report: string[] = [
      `${
        perf
          ? "collector under `perf record -F 999 -g` (999 samples/s per thread, on CPU)"
          : `collector under the V8 inspector's sampling profiler (every ${values["interval-us"]} µs)`
      }, ` +
      `wrk ${WRK.threads} thread, ${seconds} s per case after a 3 s warm-up`,
    ];
    for (const name of ["parse-only", "publish"] as const) {
      const url = `${pipeline.collectorUrl}/v1/batch${name === "parse-only" ? "/parse-only" : ""}`;
      for (const size of [1, 20]) {
        if (!cases.includes(`${name}-${size}`)) continue;
        const body = batchBody(size);
        const wrk = {
          ...WRK,
          connections: Number(
            values.connections ?? (name === "publish" ? PUBLISH_CONNECTIONS : WRK.connections),
          ),
        };
        console.error(`» ${name}, ${size}-event batches, ${wrk.connections} connections`);
        await runWrk({ url, body, durationS: 3, ...wrk });
        const file = join(values.out!, `collector-${name}-${size}.${perf ? "perf.data" : "cpuprofile"}`);
        await cdp?.send("Profiler.start");
        const recorder = perf
          ? new Deno.Command("perf", {
            args: ["record", "-F", "999", "-g", "-p", String(collector.pid), "-o", file],
            stdout: "null",
            stderr: "null",
          }).spawn()
          : undefined;
        const wrkRun: { pid?: number } = {};
        const { result, cpu } = await cpuDuring(
          () => ({ ...pids, wrk: wrkRun.pid }),
          () => runWrk({ url, body, durationS: seconds, ...wrk, run: wrkRun }),
        );
        let summary: string;
        if (recorder) {
          recorder.kill("SIGINT");
          await recorder.status;
          summary = await perfSummary(file);
        } else {
          const { profile } = await cdp!.send<{ profile: CpuProfile }>("Profiler.stop");
          await Deno.writeTextFile(file, JSON.stringify(profile));
          summary = summaryText(summarise(profile));
        }
        const use = Object.entries(cpu.processes).map(([n, u]) =>
          `${n} ${u.cores.toFixed(2)}${n === "collector" ? ` (main thread ${u.mainThread.toFixed(2)})` : ""}`
        ).join(", ");
        report.push(
          "",
          `### ${name}, ${size}-event batches, ${wrk.connections} connections`,
          "",
          `${Math.round(result.rps)} req/s, ${result.errors} errors under the profiler; CPU cores: ${use}, ` +
            `other processes ${cpu.machine.rest.toFixed(2)} (machine ${
              cpu.machine.busy.toFixed(2)
            } of ${cpu.machine.cores}); ` +
            `profile ${file}`,
          "",
          summary,
        );
        console.error(report.slice(-3, -2)[0]);
      }
    }
    cdp?.close();
    console.log(report.join("\n"));
  } finally {
    if (collector) {
      collector.kill("SIGTERM");
      await collector.status;
    }
    await stopPipeline(dataRoot);
    await Deno.remove(dataRoot, { recursive: true }).catch(() => {});
  }
}

await main();
