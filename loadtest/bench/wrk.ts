// The throughput rows' load generator: wrk (Debian's package), closed loop, as fast as its
// connections go. One C thread drives 64 connections with epoll and reached ~107k req/s on the bare
// handler here, where k6 (a Go runtime and a JavaScript VM per user) stopped at ~20k: a generator
// slower than what it measures reports its own limit.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BROWSER_UA } from "./oha.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = join(root, "loadtest/bench/wrk_post.lua");

export type WrkResult = {
  rps: number;
  requests: number;
  /** Socket errors (connect, read, write, timeout) and answers that were not 2xx/3xx. */
  errors: number;
  /** Latency in ms under maximum load: queueing, not the service's own time. */
  p50: number;
  p99: number;
};

async function onPath(command: string): Promise<boolean> {
  const { code } = await new Deno.Command("sh", { args: ["-c", `command -v ${command}`], stdout: "null" })
    .output();
  return code === 0;
}

/** Installs Debian's wrk when it is not on PATH, as stack/bootstrap.mjs installs chromium. */
export async function ensureWrk(): Promise<void> {
  if (await onPath("wrk")) return;
  const root = Deno.uid() === 0;
  const apt = async (args: string[]) => {
    const { code, stderr } = await new Deno.Command(root ? "apt-get" : "sudo", {
      args: root ? args : ["apt-get", ...args],
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(`apt-get ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`);
  };
  console.error("» installing Debian's wrk (apt-get)");
  await apt(["update", "-qq"]);
  await apt(["install", "-y", "-qq", "--no-install-recommends", "wrk"]);
}

/** Handles wrk's child process: `pid` is set while it runs (for the CPU sampler). */
export type WrkRun = { pid?: number };

export async function runWrk(
  { url, body, durationS = 10, threads = 1, connections = 64, run = {} }: {
    url: string;
    body: string;
    durationS?: number;
    threads?: number;
    connections?: number;
    run?: WrkRun;
  },
): Promise<WrkResult> {
  const dir = await Deno.makeTempDir({ prefix: "shoptrail-wrk-" });
  const bodyFile = join(dir, "body.json");
  await Deno.writeTextFile(bodyFile, body);
  try {
    const child = new Deno.Command("wrk", {
      args: [`-t${threads}`, `-c${connections}`, `-d${durationS}s`, "--timeout", "10s", "-s", SCRIPT, url],
      env: { BODY_FILE: bodyFile, USER_AGENT: BROWSER_UA },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    run.pid = child.pid;
    const out = await child.output();
    run.pid = undefined;
    const text = new TextDecoder().decode(out.stdout);
    const line = text.split("\n").find((l) => l.startsWith("{"));
    if (out.code !== 0 || !line) {
      throw new Error(
        `wrk failed (exit ${out.code}): ${text.slice(-500)}${new TextDecoder().decode(out.stderr)}`,
      );
    }
    const r = JSON.parse(line);
    return {
      rps: r.requests / (r.durationUs / 1e6),
      requests: r.requests,
      errors: r.connect + r.read + r.write + r.status + r.timeout,
      p50: r.p50Us / 1000,
      p99: r.p99Us / 1000,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
