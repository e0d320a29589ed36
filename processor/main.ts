// The processor: applies clickhouse/*.sql, then either hosts ClickHouse embedded and serves it
// over HTTP on PROCESSOR_HOST:PROCESSOR_PORT, or (CLICKHOUSE_URL set) leaves a server migrated.
import { type ProcessorConfig, processorConfig, resolveAdminToken, resolveSqlPassword } from "./config.ts";
import { EmbeddedEngine } from "./engine/embedded_engine.ts";
import { migrate, OldSchemaError } from "./migrate.ts";
import { loadSites, writeSiteZones } from "./site_zones.ts";
import { adminRoutes } from "./admin.ts";
import { ServerEngine } from "./engine/server_engine.ts";
import { Hono } from "hono";
import { sqlHttpApp } from "./sql/http_sql.ts";
import { sameOrigin } from "./same_origin.ts";
import { startLive } from "./live.ts";
import { ConfigError } from "../lib/env.ts";
import { createLogger } from "../lib/log.ts";
import { type Running, runService } from "../lib/service.ts";

const log = createLogger("processor");

/** Server mode: the SQL files applied to a ClickHouse server, and nothing served. */
async function migrateServer(config: ProcessorConfig & { clickhouseUrl: URL }): Promise<void> {
  const engine = new ServerEngine(config.clickhouseUrl.href, {
    username: config.clickhouseUser,
    password: config.clickhousePassword,
  });
  const sites = await loadSites(config.sitesFile);
  const report = await migrate(engine, {
    values: config.sqlValues,
    beforeConsuming: () => writeSiteZones(engine, sites),
  });
  log.info("migrated", {
    server: config.clickhouseUrl.origin,
    applied: report.applied.length,
    kept: report.skipped.length,
  });
  await engine.close();
}

/** Embedded mode: ClickHouse in this process, its SQL, dashboard and alerts served over HTTP. */
async function serveEmbedded(config: ProcessorConfig): Promise<Running> {
  await Deno.mkdir(config.dataDir, { recursive: true });
  const sites = await loadSites(config.sitesFile);
  const engine = new EmbeddedEngine(config.dataDir);
  const report = await migrate(engine, {
    values: config.sqlValues,
    beforeConsuming: () => writeSiteZones(engine, sites),
  });
  await engine.lockReadOnly(config);
  const users = new Map([[config.sqlUser, await resolveSqlPassword(config)]]);
  const app = new Hono().use("/", sameOrigin())
    .route("/admin", adminRoutes({ engine: engine.admin(), token: await resolveAdminToken(config) }))
    .route("/", sqlHttpApp({ engine, users }));
  const live = await startLive({ engine, users, config });
  live.mount(app);
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: ({ hostname, port }) =>
      log.info("listening", {
        engine: `embedded ClickHouse in ${config.dataDir}`,
        applied: report.applied.length,
        kept: report.skipped.length,
        sql: `http://${hostname}:${port}/`,
        dashboard: `http://${hostname}:${port}/dashboard/`,
        alert_rules: live.rulesPath,
      }),
  }, app.fetch);
  return {
    stop: async () => {
      await server.shutdown();
      await live.stop();
      await engine.close();
    },
  };
}

try {
  const config = processorConfig();
  // A bad setting, or a data folder of an older schema: the message says what to do.
  const expected = (error: unknown) => error instanceof ConfigError || error instanceof OldSchemaError;
  if (config.clickhouseUrl) await migrateServer({ ...config, clickhouseUrl: config.clickhouseUrl });
  else {await runService(() => serveEmbedded(config), {
      log,
      listen: { port: config.port, setting: "PROCESSOR_PORT" },
      expected,
    });}
} catch (error) {
  if (error instanceof ConfigError || error instanceof OldSchemaError) log.error(error.message);
  else log.error("could not start", { error });
  Deno.exit(1);
}
