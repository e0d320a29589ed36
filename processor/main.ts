// The processor: applies clickhouse/*.sql, then either hosts ClickHouse embedded and serves it
// over HTTP on PROCESSOR_HOST:PROCESSOR_PORT, or (CLICKHOUSE_URL set) leaves a server migrated.
import { processorConfig, resolveSqlPassword } from "./config.ts";
import { EmbeddedEngine } from "./embedded_engine.ts";
import { migrate } from "./migrate.ts";
import { ServerEngine } from "./server_engine.ts";
import { Hono } from "hono";
import { sqlHttpApp } from "./http_sql.ts";
import { sameOrigin } from "./same_origin.ts";
import { startLive } from "./live.ts";
import { ConfigError } from "../stack/env.ts";

async function main() {
  const config = processorConfig();
  if (config.clickhouseUrl) {
    const engine = new ServerEngine(config.clickhouseUrl.href, {
      username: config.clickhouseUser,
      password: config.clickhousePassword,
    });
    const report = await migrate(engine, { values: config.sqlValues });
    console.log(
      `migrated ${config.clickhouseUrl.origin}: applied ${report.applied.length}, kept ${report.skipped.length}`,
    );
    await engine.close();
    return;
  }

  await Deno.mkdir(config.dataDir, { recursive: true });
  const engine = new EmbeddedEngine(config.dataDir);
  const report = await migrate(engine, { values: config.sqlValues });
  await engine.lockReadOnly(config);
  const users = new Map([[config.sqlUser, await resolveSqlPassword(config)]]);
  const app = new Hono().use("/", sameOrigin()).route("/", sqlHttpApp({ engine, users }));
  const live = await startLive({ engine, users, config });
  live.mount(app);
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: ({ hostname, port }) =>
      console.log(
        `processor: embedded ClickHouse (${config.dataDir}), applied ${report.applied.length} SQL files, ` +
          `kept ${report.skipped.length}; SQL over HTTP on http://${hostname}:${port}, ` +
          `dashboard on http://${hostname}:${port}/dashboard/, alert rules from ${live.rulesPath}`,
      ),
  }, app.fetch);

  const stop = async () => {
    await server.shutdown();
    await live.stop();
    await engine.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

try {
  await main();
} catch (error) {
  console.error(`processor: ${error instanceof ConfigError ? error.message : (error as Error).stack}`);
  Deno.exit(1);
}
