// Background services: started detached with their output in a log file and their pid in a file,
// so `deno task down` (or a test's cleanup) can stop what `deno task up` started.
import { join } from "node:path";
import { freePortRange } from "./ports.ts";

/** True while the process runs; a zombie (exited, not yet reaped) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

export type Service = { name: string; pid: number; logFile: string };

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(Deno.readTextFileSync(pidFile).trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts `deno run -A <script>` detached, its output appended to <dir>/<name>.log. Through `sh -c
 * exec ... >> log` so the service outlives the command that started it (`deno task up` exits).
 */
export async function spawnDeno(
  { name, script, dir, env }: { name: string; script: string; dir: string; env: Record<string, string> },
): Promise<Service> {
  await Deno.mkdir(dir, { recursive: true });
  const logFile = join(dir, `${name}.log`);
  const command = `exec ${shellQuote(Deno.execPath())} run -A ${shellQuote(script)} >> ${
    shellQuote(logFile)
  } 2>&1`;
  const child = new Deno.Command("sh", { args: ["-c", command], env, stdin: "null", detached: true }).spawn();
  child.unref();
  await Deno.writeTextFile(join(dir, `${name}.pid`), String(child.pid));
  return { name, pid: child.pid, logFile };
}

export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Polls an HTTP URL until it answers 2xx, failing early if the process died. */
export async function waitForHttp(
  url: string,
  { deadlineMs, service }: { deadlineMs: number; service: Service },
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last = "";
  while (Date.now() < deadline) {
    if (!isAlive(service.pid)) {
      throw new Error(`${service.name} (pid ${service.pid}) exited during start; see ${service.logFile}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `${service.name} did not answer ${url} within ${deadlineMs} ms (${last}); see ${service.logFile}`,
  );
}

/** SIGTERM, then SIGKILL after the deadline. Returns whether anything was running. */
export async function stopPid(pidFile: string, { deadlineMs = 15_000 } = {}): Promise<boolean> {
  const pid = readPid(pidFile);
  if (pid === undefined) return false;
  Deno.kill(pid, "SIGTERM");
  const deadline = Date.now() + deadlineMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) Deno.kill(pid, "SIGKILL");
  await Deno.remove(pidFile).catch(() => {});
  return true;
}

/** A port free right now, below the ephemeral range (why: `ephemeralPortStart` in ports.ts). */
export function freePort(): Promise<number> {
  return Promise.resolve(freePortRange(1));
}
