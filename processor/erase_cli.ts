// `deno task erase --site S --user U`: erases a shopper (their user id or anonymous id) from ClickHouse
// through the running processor's admin route (processor/admin.ts), or, with CLICKHOUSE_URL set,
// straight on that server as CLICKHOUSE_USER; prints what it removed and where copies remain.
import { parseArgs } from "node:util";
import { topicsFromEnv } from "../contract/mod.ts";
import { processorConfig, resolveAdminToken } from "./config.ts";
import { ServerEngine } from "./engine/server_engine.ts";
import { eraseShopper, type ErasureReport, invalidRequest } from "./erase.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { site: { type: "string" }, user: { type: "string" } },
});
const request = { site: values.site ?? "", user: values.user ?? "" };
const invalid = invalidRequest(request);
if (invalid) {
  console.error(
    `Cannot erase: ${invalid}\nusage: deno task erase --site demo --user <user id or anonymous id>`,
  );
  Deno.exit(2);
}
const config = processorConfig();

async function viaProcessor(): Promise<ErasureReport> {
  const url = Deno.env.get("PROCESSOR_URL") ?? `http://${config.host}:${config.port}/`;
  const response = await fetch(new URL("admin/erase", url), {
    method: "POST",
    headers: {
      "Authorization": `Bearer ${await resolveAdminToken(config)}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify(request),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${body.message} (HTTP ${response.status}, ${body.error})`);
  return body;
}

async function onServer(url: URL): Promise<ErasureReport> {
  const engine = new ServerEngine(url.href, {
    username: config.clickhouseUser,
    password: config.clickhousePassword,
  });
  try {
    return await eraseShopper(engine, request);
  } finally {
    await engine.close();
  }
}

try {
  const report = config.clickhouseUrl ? await onServer(config.clickhouseUrl) : await viaProcessor();
  const topics = topicsFromEnv();
  const days = (ms: number) => Math.round(ms / 86_400_000);
  console.log(
    [
      `Erased shopper '${report.user}' of site '${report.site}' from ClickHouse: ${report.sessions} sessions, ` +
      `${report.events} events (${report.deliveries} deliveries), ${report.orders} orders.`,
      report.sessions > 0
        ? `Recounted every aggregate of the site from ${report.since} UTC on, from everyone else's ` +
          `${report.recounted} events of that time.`
        : "Nothing of this shopper was in ClickHouse.",
      "",
      "Copies still in Kafka until the broker's retention drops them (read again, they are turned away: " +
      "clickhouse/001_events.sql, erased_sessions):",
      `  ${topics.events.name}: every event as the collector sent it, kept ${
        days(topics.events.retentionMs)
      } days`,
      `  ${topics.dlq.name}: events the collector refused, kept ${days(topics.dlq.retentionMs)} days`,
      "To drop them sooner, lower a topic's retention for a while and set it back, e.g.",
      `  kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name ` +
      `${topics.events.name} --add-config retention.ms=3600000`,
      "(the broker deletes whole closed segments older than that: every site's events of that age go too).",
    ].join("\n"),
  );
} catch (error) {
  console.error((error as Error).message);
  Deno.exit(1);
}
