// CPU of named processes while a measurement runs, from /proc: which one was the bottleneck. A
// process is saturated when its busiest part is at a whole core: a thread for Deno (JavaScript runs on
// one thread per isolate: the main thread, or each of the collector's request workers), every thread
// together for a generator of N threads (N cores).
const TICKS_PER_S = 100; // USER_HZ, `getconf CLK_TCK` on Linux

/** utime + stime in ticks of a /proc/<pid>[/task/<tid>]/stat line (fields 14 and 15). */
export function statTicks(statLine: string): number {
  const fields = statLine.slice(statLine.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

type Ticks = { process: number; threads: Map<number, number> };

function readTicks(pid: number): Ticks | undefined {
  try {
    const threads = new Map<number, number>();
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        threads.set(
          Number(task.name),
          statTicks(Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/stat`)),
        );
      } catch { /* the thread ended */ }
    }
    return { process: statTicks(Deno.readTextFileSync(`/proc/${pid}/stat`)), threads };
  } catch {
    return undefined; // not started yet, or gone
  }
}

/** Busy and total jiffies of the whole machine (/proc/stat's first line; idle and iowait are not busy). */
function machineTicks(): { busy: number; total: number } {
  const [, ...values] = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - n[3] - n[4], total };
}

/** Cores used over the measured window: the whole process, its main thread, its three busiest threads. */
export type CpuUse = { cores: number; mainThread: number; busiest: number[] };
export type CpuReport = {
  /** Per name given; absent when the process was not seen twice in the window. */
  processes: Record<string, CpuUse>;
  /** The whole machine's busy cores, and what of it the named processes do not explain. */
  machine: { cores: number; busy: number; rest: number };
  seconds: number;
};

/**
 * Runs `work` while sampling, every `everyMs`, the CPU of the processes `pids()` names (asked on each
 * sample, so a generator spawned by `work` is seen once it runs). The window starts after `skipMs`
 * (connections opening, JIT warming) and ends at the last sample before `work` resolves, so the
 * generator's own exit is not in it.
 */
export async function cpuDuring<T>(
  pids: () => Record<string, number | undefined>,
  work: () => Promise<T>,
  { skipMs = 1000, everyMs = 250 }: { skipMs?: number; everyMs?: number } = {},
): Promise<{ result: T; cpu: CpuReport }> {
  type Sample = { at: number; pid: number; ticks: Ticks };
  const first: Record<string, Sample> = {};
  const last: Record<string, Sample> = {};
  let machineFirst: { at: number; busy: number; total: number } | undefined;
  let machineLast = machineFirst;
  const started = performance.now();
  const sample = () => {
    const at = performance.now();
    if (at - started < skipMs) return;
    const m = { at, ...machineTicks() };
    machineFirst ??= m;
    machineLast = m;
    for (const [name, pid] of Object.entries(pids())) {
      const ticks = pid === undefined ? undefined : readTicks(pid);
      if (!ticks) continue;
      first[name] ??= { at, pid: pid!, ticks };
      last[name] = { at, pid: pid!, ticks };
    }
  };
  const timer = setInterval(sample, everyMs);
  let result: T;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
  }
  const processes: Record<string, CpuUse> = {};
  for (const [name, a] of Object.entries(first)) {
    const b = last[name];
    const seconds = (b.at - a.at) / 1000;
    if (seconds <= 0) continue;
    const thread = (tid: number) =>
      ((b.ticks.threads.get(tid) ?? 0) - (a.ticks.threads.get(tid) ?? 0)) / TICKS_PER_S / seconds;
    processes[name] = {
      cores: (b.ticks.process - a.ticks.process) / TICKS_PER_S / seconds,
      mainThread: thread(a.pid),
      busiest: [...b.ticks.threads.keys()].map(thread).sort((x, y) => y - x).slice(0, 3),
    };
  }
  const cores = navigator.hardwareConcurrency;
  const [a, b] = [machineFirst, machineLast];
  const busy = a && b && b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * cores : 0;
  const named = Object.values(processes).reduce((sum, p) => sum + p.cores, 0);
  return {
    result,
    cpu: {
      processes,
      machine: { cores, busy, rest: Math.max(0, busy - named) },
      seconds: a && b ? (b.at - a.at) / 1000 : 0,
    },
  };
}
