// The live side of the processor (embedded or server mode): the dashboard and SQL console routes, and the alert
// rules evaluated on a schedule. Both read through the processor's own engine (one process owns
// chdb) and the broker's offsets; alert transitions go to the alerts topic and the webhook.
import { brokersFromEnv, topicsFromEnv } from "../contract/mod.ts";
import { type Env, envString, processEnv } from "../lib/env.ts";
import type { Hono } from "hono";
import type { ProcessorConfig } from "./config.ts";
import type { Engine } from "./engine/engine.ts";
import type { SqlUsers } from "./sql/http_sql.ts";
import { dashboardRoutes } from "./dashboard/routes.ts";
import { KafkaOffsets } from "./kafka_offsets.ts";
import { engineRunner } from "./sql_files.ts";
import { AlertService } from "./alerts/service.ts";
import { ClickHouseAlertStore } from "./alerts/store.ts";
import { KafkaNotifier, type Notifier, WebhookNotifier } from "./alerts/notify.ts";
import { readAlertQueries } from "./alerts/observe.ts";
import { DEFAULT_RULES_FILE, readRules } from "./alerts/rules.ts";

export async function startLive(
  { engine, sqlEngine = engine, users, config, env = processEnv }: {
    /** The processor's own: the panels and the alert rules. */
    engine: Engine;
    /** Where SQL users' statements (the console) run: the same engine embedded, the reader on a server. */
    sqlEngine?: Engine;
    users: SqlUsers;
    config: ProcessorConfig;
    env?: Env;
  },
) {
  const brokers = brokersFromEnv(env);
  const topics = topicsFromEnv(env);
  const kafka = new KafkaOffsets({
    brokers,
    eventsTopic: topics.events.name,
    dlqTopic: topics.dlq.name,
    group: config.sqlValues.KAFKA_GROUP,
  });

  // ALERTS_CONFIG: the rules file; "off" runs no alerts.
  const rulesPath = envString(env, "ALERTS_CONFIG", DEFAULT_RULES_FILE);
  let alerts: AlertService | undefined;
  if (rulesPath !== "off") {
    const rules = await readRules(rulesPath);
    const notifiers: Notifier[] = [new KafkaNotifier({ brokers, topic: topics.alerts.name })];
    const webhook = envString(env, "ALERTS_WEBHOOK_URL", rules.webhook?.url ?? "");
    if (webhook) {
      notifiers.push(new WebhookNotifier({ url: webhook, timeoutMs: rules.webhook?.timeoutMs ?? 5000 }));
    }
    alerts = new AlertService({
      config: rules,
      sources: { run: engineRunner(engine), queries: await readAlertQueries(), kafka },
      notifiers,
      store: new ClickHouseAlertStore(engine),
    });
    alerts.start();
  }

  const routes = await dashboardRoutes({ engine, sqlEngine, users, kafka, alerts });
  return {
    rulesPath,
    /** Serves the dashboard under /dashboard/ of the SQL app (and /dashboard redirects there). */
    mount(app: Hono) {
      app.get("/dashboard", (c) => c.redirect("/dashboard/"));
      app.route("/dashboard/", routes);
    },
    async stop() {
      await alerts?.stop();
      await kafka.close();
    },
  };
}
