// The throughput rows' fixed-rate generator: oha (crates.io, built once into .cache/oha), which sends
// at a set rate (-q) and, with --latency-correction, times each request from when it was due, not from
// when a busy connection got to send it (wrk, closed loop, cannot hold a rate; its latencies under
// maximum load are queueing).
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const VERSION = "1.16.0";
export const OHA = join(root, ".cache", "oha", "bin", "oha");

/**
 * Every bench request carries a browser's User-Agent, as the SDK's beacons do: without one the
 * collector counts the request as a bot and skips the UA parse (wrk sends none, oha its own name).
 */
export const BROWSER_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

export type OhaResult = {
  rps: number;
  requests: number;
  /** Connection errors and answers that were not 2xx (requests cut off at the end are not errors). */
  errors: number;
  p50: number;
  p99: number;
};

async function installed(): Promise<boolean> {
  try {
    const out = await new Deno.Command(OHA, { args: ["--version"], stdout: "piped" }).output();
    return new TextDecoder().decode(out.stdout).includes(VERSION);
  } catch {
    return false;
  }
}

/** Builds the pinned oha with cargo when it is missing (once, a few minutes). */
export async function ensureOha(): Promise<void> {
  if (await installed()) return;
  console.error(`» building oha ${VERSION} into .cache/oha (cargo install, once, a few minutes)`);
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("cargo", {
      args: ["install", "oha", "--version", VERSION, "--locked", "--root", join(root, ".cache", "oha")],
      stdout: "null",
      stderr: "piped",
    }).output();
  } catch {
    throw new Error(
      "Cannot build oha for the bench: 'cargo' is not on PATH; install Rust (rustup) and retry",
    );
  }
  if (!out.success) {
    throw new Error(`cargo install oha failed: ${new TextDecoder().decode(out.stderr).slice(-1000)}`);
  }
}

export async function runOha(
  { url, body, durationS = 10, rate, connections = 64 }: {
    url: string;
    body: string;
    durationS?: number;
    rate: number;
    connections?: number;
  },
): Promise<OhaResult> {
  const dir = await Deno.makeTempDir({ prefix: "shoptrail-oha-" });
  const bodyFile = join(dir, "body.json");
  await Deno.writeTextFile(bodyFile, body);
  try {
    const out = await new Deno.Command(OHA, {
      args: [
        "-z",
        `${durationS}s`,
        "-c",
        String(connections),
        "-q",
        String(rate),
        "--latency-correction",
        "--no-tui",
        "--output-format",
        "json",
        "-m",
        "POST",
        "-T",
        "text/plain",
        "-H",
        `User-Agent: ${BROWSER_UA}`,
        "-D",
        bodyFile,
        url,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new Error(`oha failed (exit ${out.code}): ${new TextDecoder().decode(out.stderr).slice(-500)}`);
    }
    const r = JSON.parse(text);
    const codes = r.statusCodeDistribution as Record<string, number>;
    const requests = Object.values(codes).reduce((a, b) => a + b, 0);
    // Requests still in flight when the duration ends are cut off, not failed.
    const failures = Object.entries((r.errorDistribution ?? {}) as Record<string, number>)
      .filter(([reason]) => !reason.startsWith("aborted due to deadline"))
      .reduce((a, [, n]) => a + n, 0);
    const not2xx = Object.entries(codes).filter(([c]) => !c.startsWith("2")).reduce((a, [, n]) => a + n, 0);
    return {
      rps: r.summary.requestsPerSec,
      requests,
      errors: failures + not2xx,
      p50: r.latencyPercentiles.p50 * 1000,
      p99: r.latencyPercentiles.p99 * 1000,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
