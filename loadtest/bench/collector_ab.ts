// CPU per request of two versions of the collector's request path in one process: each checkout's app
// (parse-only, or publishing to a sink that only copies each message to bytes) is loaded side by side and driven through `app.fetch` with
// built requests, in alternating blocks, and the process's CPU of each block is added to its version. On a
// machine other sessions share, two processes run minutes apart see different contention; blocks of a few
// milliseconds alternating in one process see the same. No HTTP: what it compares is the JavaScript of the
// request path (with the runtime's Request and Response), not the server (collector_cpu.ts measures that).
//
//   deno run -A loadtest/bench/collector_ab.ts --base DIR [--new DIR] [--events 1,20] [--rounds 40]
//     [--route parse-only|publish]
//
// --base and --new are checkouts (e.g. a `git worktree` of the commit to compare with); --new defaults to
// this one.
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { batchBody } from "./throughput.ts";
import { BROWSER_UA } from "./oha.ts";

type App = { fetch(request: Request, info: unknown): Response | Promise<Response> };

const { values } = parseArgs({
  args: Deno.args,
  options: {
    base: { type: "string" },
    new: { type: "string", default: fileURLToPath(new URL("../..", import.meta.url)) },
    events: { type: "string", default: "1,20" },
    rounds: { type: "string", default: "40" },
    route: { type: "string", default: "parse-only" },
  },
});
if (!values.base) throw new Error("--base DIR: the checkout to compare with");
const path = values.route === "publish" ? "/v1/batch" : "/v1/batch/parse-only";

/**
 * Where the publish route's messages go: each one's text copied to UTF-8 bytes, as the Kafka client copies
 * it into its produce buffer (a line built by concatenation is flattened there), and nothing kept.
 */
const encoder = new TextEncoder();
const copyingSink = {
  publish(messages: { value: string }[]) {
    for (const message of messages) encoder.encode(message.value);
    return Promise.resolve(messages.map(() => "ok" as const));
  },
  close: () => Promise.resolve(),
};

async function appOf(root: string): Promise<App> {
  const { createApp } = await import(`${root}/collector/app.ts`);
  return createApp({ sink: copyingSink, topics: { events: "e", dlq: "d" }, parseOnly: true });
}

const versions = { base: await appOf(values.base), new: await appOf(values.new!) };
const info = { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } };

for (const events of values.events!.split(",").map(Number)) {
  const body = batchBody(events);
  const headers = {
    "Content-Type": "text/plain",
    "User-Agent": BROWSER_UA,
    "Content-Length": `${body.length}`,
  };
  // Blocks of roughly 50 ms of CPU: short enough to alternate often, long enough for the clock.
  const block = Math.max(20, Math.round(2000 / events));
  const run = async (app: App, requests: number) => {
    for (let i = 0; i < requests; i++) {
      const response = await app.fetch(
        new Request(`http://collector${path}`, { method: "POST", body, headers }),
        info,
      );
      const answer = await response.json();
      if (response.status !== 202 || answer.accepted !== events) throw new Error(JSON.stringify(answer));
    }
  };
  for (const app of Object.values(versions)) await run(app, block * 10); // warm-up: JIT and heap
  const used = { base: 0, new: 0 };
  const rounds = Number(values.rounds);
  for (let round = 0; round < rounds; round++) {
    // Each goes first in every other round: neither always runs right after the other's garbage.
    for (const name of round % 2 ? ["base", "new"] as const : ["new", "base"] as const) {
      const before = process.cpuUsage();
      await run(versions[name], block);
      const spent = process.cpuUsage(before);
      used[name] += spent.user + spent.system;
    }
  }
  const perRequest = (us: number) => (us / (rounds * block)).toFixed(1);
  console.log(
    `${events}-event, ${values.route}: base ${perRequest(used.base)} µs, new ${perRequest(used.new)} µs ` +
      `of CPU per request (${rounds} blocks of ${block} requests each)`,
  );
}
