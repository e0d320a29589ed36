// Reads a V8 CPU profile (.cpuprofile, from the inspector or `deno run --cpu-prof`) of the collector
// and says where its time went: the top functions by self time, and the time of each request stage,
// a sample counted for the nearest of our stages on its stack (so the runtime's TextDecoder called by
// read_body is read_body's), else for the runtime part that was running.
//
//   deno run -A loadtest/bench/cpu_profile.ts FILE.cpuprofile [--top 25]

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
export type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Part of the process a frame belongs to; the first rule that matches names it. Paths are matched
 * by file name (the sinks also by folder), before and after the collector's files moved into
 * collector/stages/ and collector/sinks/. */
const PARTS: [RegExp, string][] = [
  [/\/read_body\.ts$/, "read_body"],
  [/\/decode\.ts$/, "decode"],
  [/\/(validate|event|contract)\.ts$|\/zod\//, "validate (incl. zod)"],
  [/\/(ip|daily_salt)\.ts$/, "IP hash (HMAC per request)"],
  [/\/(enrich|url_privacy)\.ts$|ua-parser-js|\/isbot\//, "enrich (UA parse, URLs)"],
  [/\/(publish|join_messages|kafka_line|linger)\.ts$/, "publish / serialise"],
  [
    /\/(kafka_sink|kafka_stored|overdue_sends)\.ts$|\/sinks\/kafka\/|@platformatic|\/(mnemonist|fastq|scule)\//,
    "Kafka client",
  ],
  [/\/spool[^/]*\.ts$|\/sinks\/spool\//, "spool"],
  [/\/(admit|rate_limit|sites)\.ts$/, "admit (sites, budgets)"],
  [/\/(app|errors|metrics|main|config)\.ts$|\/hono\//, "app, Hono, metrics"],
  [/^ext:deno_(http|fetch|net|web)/, "Deno runtime JS: HTTP, streams, text"],
  [/^ext:deno_node|^node:/, "Deno runtime JS: Node layer"],
  [/^ext:/, "Deno runtime JS: other"],
];

const OURS = new Set([
  "read_body",
  "decode",
  "validate (incl. zod)",
  "IP hash (HMAC per request)",
  "enrich (UA parse, URLs)",
  "publish / serialise",
  "Kafka client",
  "spool",
  "admit (sites, budgets)",
]);

function partOf(frame: CallFrame): string {
  if (frame.url === "") {
    if (frame.functionName === "(program)") return "native outside JS (Rust HTTP server, ops, V8)";
    if (frame.functionName === "(garbage collector)") return "garbage collector";
    if (frame.functionName === "(idle)") return "idle";
    return "V8 builtins / native callbacks";
  }
  for (const [pattern, name] of PARTS) if (pattern.test(frame.url)) return name;
  return "other JavaScript";
}

export type Summary = {
  totalMs: number;
  /** Per part: time of samples whose nearest frame of our stages (else the leaf) is in it. */
  byStage: [string, number][];
  /** Per function (name, file:line): self time. */
  topSelf: [string, number][];
};

export function summarise(profile: CpuProfile, top = 25): Summary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // A sample lasts until the next one; the last gets the mean.
  const deltas = profile.timeDeltas;
  const mean = deltas.reduce((a, b) => a + b, 0) / Math.max(1, deltas.length);
  const stage = new Map<number, string>(); // per leaf node, memoised
  const byStage = new Map<string, number>();
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = i + 1 < deltas.length ? deltas[i + 1] : mean;
    total += us;
    let name = stage.get(id);
    if (name === undefined) {
      name = partOf(nodes.get(id)!.callFrame);
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const part = partOf(nodes.get(at)!.callFrame);
        if (OURS.has(part)) {
          name = part;
          break;
        }
      }
      stage.set(id, name);
    }
    byStage.set(name, (byStage.get(name) ?? 0) + us);
    const f = nodes.get(id)!.callFrame;
    const file = f.url.replace(/^.*\/(node_modules\/(\.deno\/)?)?/, "").slice(0, 60);
    const key = `${f.functionName || "(anonymous)"} ${file ? `${file}:${f.lineNumber + 1}` : ""}`.trim();
    self.set(key, (self.get(key) ?? 0) + us);
  });
  const sorted = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([k, us]) => [k, us / 1000] as [string, number]);
  return { totalMs: total / 1000, byStage: sorted(byStage), topSelf: sorted(self).slice(0, top) };
}

export function summaryText(s: Summary, { busyOnly = true } = {}): string {
  const idle = s.byStage.find(([k]) => k === "idle")?.[1] ?? 0;
  const busy = busyOnly ? s.totalMs - idle : s.totalMs;
  const pct = (ms: number) => `${(ms / busy * 100).toFixed(1)} %`;
  return [
    `profiled ${(s.totalMs / 1000).toFixed(1)} s, ${(idle / s.totalMs * 100).toFixed(1)} % of it idle; ` +
    "shares of the rest:",
    "",
    "| part (a sample counts for the nearest of our stages on its stack) | ms | share |",
    "| --- | --- | --- |",
    ...s.byStage.filter(([k]) => k !== "idle").map(([k, ms]) => `| ${k} | ${ms.toFixed(0)} | ${pct(ms)} |`),
    "",
    "| function (self time) | ms | share |",
    "| --- | --- | --- |",
    ...s.topSelf.filter(([k]) => k !== "(idle)").map(([k, ms]) => `| ${k} | ${ms.toFixed(0)} | ${pct(ms)} |`),
  ].join("\n");
}

if (import.meta.main) {
  const [file] = Deno.args.filter((a) => !a.startsWith("--"));
  const topAt = Deno.args.indexOf("--top");
  const top = topAt >= 0 ? Number(Deno.args[topAt + 1]) : 25;
  if (!file) {
    console.error("usage: deno run -A loadtest/bench/cpu_profile.ts FILE.cpuprofile [--top 25]");
    Deno.exit(2);
  }
  console.log(summaryText(summarise(JSON.parse(await Deno.readTextFile(file)), top)));
}
