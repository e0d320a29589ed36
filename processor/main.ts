// The processor: applies clickhouse/*.sql, then serves the SQL endpoint, the dashboard, the console
// and the alerts over HTTP on PROCESSOR_HOST:PROCESSOR_PORT, with ClickHouse either embedded in this
// process or (CLICKHOUSE_URL set) a server reached through @clickhouse/client.
import { type ProcessorConfig, processorConfig, resolveAdminToken, resolveSqlPassword } from "./config.ts";
import { EmbeddedEngine } from "./engine/embedded_engine.ts";
import { migrate, type MigrationReport, OldSchemaError } from "./migrate.ts";
import { loadSites, writeSiteZones } from "./site_zones.ts";
import { adminRoutes } from "./admin.ts";
import type { Engine } from "./engine/engine.ts";
import { ServerEngine } from "./engine/server_engine.ts";
import { Hono } from "hono";
import { sqlHttpApp } from "./sql/http_sql.ts";
import { sameOrigin } from "./same_origin.ts";
import { startLive } from "./live.ts";
import { ConfigError } from "../lib/env.ts";
import { createLogger } from "../lib/log.ts";
import { type Running, runService } from "../lib/service.ts";

const log = createLogger("processor");

/**
 * Server mode: the SQL files applied to a ClickHouse server (unless PROCESSOR_ROLE=serve), and served
 * (unless PROCESSOR_ROLE=migrate).
 */
async function serveServer(config: ProcessorConfig & { clickhouseUrl: URL }): Promise<Running | undefined> {
  const engine = new ServerEngine(config.clickhouseUrl.href, {
    username: config.clickhouseUser,
    password: config.clickhousePassword,
  });
  let report: MigrationReport = { applied: [], skipped: [] };
  if (config.role !== "serve") {
    const sites = await loadSites(config.sitesFile);
    report = await migrate(engine, {
      values: config.sqlValues,
      beforeConsuming: () => writeSiteZones(engine, sites),
    });
    log.info("migrated", {
      server: config.clickhouseUrl.origin,
      applied: report.applied.length,
      kept: report.skipped.length,
    });
  }
  if (config.role === "migrate") {
    await engine.close();
    return undefined;
  }
  if (!config.clickhouseReaderPassword) {
    await engine.close();
    throw new ConfigError(
      `CLICKHOUSE_READER_PASSWORD is not set: in server mode the console and SQL endpoint run SQL users' ` +
        `statements as the server's read-only user ${config.clickhouseReaderUser} (README, "Server mode"), ` +
        `so the processor needs its password; PROCESSOR_ROLE=migrate only migrates`,
    );
  }
  // SQL users never run as the processor's own user: the server holds the reader read-only.
  const reader = new ServerEngine(config.clickhouseUrl.href, {
    username: config.clickhouseReaderUser,
    password: config.clickhouseReaderPassword,
  });
  return await serve(config, {
    engine,
    sqlEngine: reader,
    admin: engine,
    describe: `ClickHouse server ${config.clickhouseUrl.origin}`,
    report,
    close: async () => {
      await reader.close();
      await engine.close();
    },
  });
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
  return await serve(config, {
    engine,
    sqlEngine: engine,
    admin: engine.admin(),
    describe: `embedded ClickHouse in ${config.dataDir}`,
    report,
    close: () => engine.close(),
  });
}

/**
 * The HTTP side, the same in both modes: the SQL endpoint (SQL users' statements on `sqlEngine`), the
 * dashboard and console, and the alert rules (on `engine`, the processor's own).
 */
async function serve(
  config: ProcessorConfig,
  o: {
    engine: Engine;
    sqlEngine: Engine;
    /** The processor's writable own user for its admin tasks (processor/admin.ts). */
    admin: Engine;
    describe: string;
    report: MigrationReport;
    close: () => Promise<void>;
  },
): Promise<Running> {
  const users = new Map([[config.sqlUser, await resolveSqlPassword(config)]]);
  const app = new Hono().use("/", sameOrigin())
    .route("/admin", adminRoutes({ engine: o.admin, token: await resolveAdminToken(config) }))
    .route("/", sqlHttpApp({ engine: o.sqlEngine, users }));
  const live = await startLive({ engine: o.engine, sqlEngine: o.sqlEngine, users, config });
  live.mount(app);
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: ({ hostname, port }) =>
      log.info("listening", {
        engine: o.describe,
        applied: o.report.applied.length,
        kept: o.report.skipped.length,
        sql: `http://${hostname}:${port}/`,
        dashboard: `http://${hostname}:${port}/dashboard/`,
        alert_rules: live.rulesPath,
      }),
  }, app.fetch);
  return {
    stop: async () => {
      await server.shutdown();
      await live.stop();
      await o.close();
    },
  };
}

try {
  const config = processorConfig();
  // A bad setting, or a data folder of an older schema: the message says what to do.
  const expected = (error: unknown) => error instanceof ConfigError || error instanceof OldSchemaError;
  const listen = { port: config.port, setting: "PROCESSOR_PORT" };
  if (config.clickhouseUrl && config.role === "migrate") {
    await serveServer({ ...config, clickhouseUrl: config.clickhouseUrl });
  } else if (config.clickhouseUrl) {
    const url = config.clickhouseUrl;
    await runService(async () => (await serveServer({ ...config, clickhouseUrl: url }))!, {
      log,
      listen,
      expected,
    });
  } else {
    await runService(() => serveEmbedded(config), { log, listen, expected });
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof OldSchemaError) log.error(error.message);
  else log.error("could not start", { error });
  Deno.exit(1);
}
