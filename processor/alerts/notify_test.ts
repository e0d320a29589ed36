// A webhook URL is a credential: Slack, Discord and most alert receivers put the token in its path
// or query, some in its user info. When a delivery fails, the log line names the webhook by its
// origin only. Real fetches against a local server and a closed port, logged by the real service.
import { ok, throws } from "node:assert/strict";
import { createLogger } from "../../lib/log.ts";
import { WebhookNotifier } from "./notify.ts";
import { readAlertQueries } from "./observe.ts";
import { parseRules } from "./rules.ts";
import { AlertService } from "./service.ts";

const SECRETS = ["hunter2", "T0SECRETPATH", "SECRETQUERY", "alerts-user"];
const hook = (port: number) =>
  `http://alerts-user:hunter2@127.0.0.1:${port}/hooks/T0SECRETPATH?token=SECRETQUERY`;

/** The log lines of one alert round whose transition goes to a webhook at `url`. */
async function logsOfDeliveryTo(url: string): Promise<string[]> {
  const logs: string[] = [];
  const service = new AlertService({
    config: parseRules(JSON.stringify({
      rules: [{ id: "low-conversion", kind: "conversion_rate", threshold: 0.01, minVolume: 50 }],
    })),
    sources: {
      run: <T>() => Promise.resolve([{ subject: "demo", value: 0, volume: 120 }] as T[]),
      queries: await readAlertQueries(),
    },
    notifiers: [new WebhookNotifier({ url, timeoutMs: 5000 })],
    log: createLogger("alerts", { format: "json", write: (line) => logs.push(line) }),
  });
  await service.tick();
  return logs.filter((line) => line.includes("alert delivery failed"));
}

Deno.test("a webhook answering 500 is logged by its origin, without its token", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("", { status: 500 }),
  );
  try {
    const [line] = await logsOfDeliveryTo(hook(server.addr.port));
    ok(line?.includes(`webhook http://127.0.0.1:${server.addr.port} answered 500`), line);
    for (const secret of SECRETS) ok(!line.includes(secret), line);
  } finally {
    await server.shutdown();
  }
});

Deno.test("a webhook that cannot be reached is logged by its origin, with the reason, without its token", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close(); // nothing listens there now: the connection is refused
  const [line] = await logsOfDeliveryTo(hook(port));
  ok(line?.includes(`webhook http://127.0.0.1:${port} `) && /refused/i.test(line), line);
  for (const secret of SECRETS) ok(!line.includes(secret), line);
});

Deno.test("a webhook URL that does not parse is refused at start without quoting it", () => {
  throws(
    () => new WebhookNotifier({ url: "hooks.example/T0SECRETPATH?token=SECRETQUERY", timeoutMs: 5000 }),
    (error: Error) =>
      /not a valid URL/.test(error.message) && SECRETS.every((s) => !error.message.includes(s)),
  );
});
