// Alerts survive a restart of the processor (clickhouse/017_alerts.sql, processor/alerts/store.ts): an
// ingest-error spike fires while the webhook is down, so only Kafka accepts it; the processor is killed
// (SIGKILL: nothing of its memory survives) and started again on the same data while the alert still holds,
// and the webhook comes up. The restarted processor sends the webhook the notification it was owed, once,
// with the stored alert_id and at (delivery is at-least-once, a receiver deduplicates on those two: here
// nothing dies between a send and its acknowledgement, so it arrives exactly once), neither fires the alert
// again nor forgets it, and resolves it once. The state is written by the processor's own session only: SQL
// users, on the endpoint and in the console, cannot change it nor mark a delivery done.
import { deepStrictEqual as assertEquals, match, ok, strictEqual } from "node:assert/strict";
import { produceNotJson } from "./helpers/ingest_errors.ts";
import { startPipeline } from "../stack/pipeline.ts";
import { pollUntil, startTestPipeline } from "../stack/testing.ts";
import { isAlive, readPid } from "../lib/process.ts";
import { portFree } from "../lib/ports.ts";
import { webhookReceiver } from "./helpers/dashboard.ts";

const ID = "ingest-errors:pipeline";

Deno.test("an alert fired while its webhook was down reaches it after a processor restart, once, and is neither fired again nor forgotten", async (t) => {
  const hook = await webhookReceiver({ down: true });
  const rulesFile = await Deno.makeTempFile({ suffix: ".json" });
  // A 60 s window: long enough to still hold after the restart, short enough to resolve within the test.
  await Deno.writeTextFile(
    rulesFile,
    JSON.stringify({
      evaluateEverySeconds: 1,
      rules: [{ id: "ingest-errors", kind: "ingest_errors", threshold: 6, windowSeconds: 60 }],
    }),
  );
  const env = { ALERTS_CONFIG: rulesFile, ALERTS_WEBHOOK_URL: hook.url };
  const p = await startTestPipeline({ env });
  const auth = { Authorization: `Basic ${btoa(`${p.sql.user}:${p.sql.password}`)}` };
  const deliveries = () =>
    p.rows<{ alert_id: string; status: string; notifier: string }>(
      `SELECT d.alert_id AS alert_id, s.status AS status, d.notifier AS notifier
       FROM alert_deliveries AS d INNER JOIN alert_state AS s ON s.alert_id = d.alert_id AND s.at = d.at
       ORDER BY d.at, d.notifier`,
    );
  let firedAt = 0;
  try {
    await t.step("an ingest-error spike fires, is stored, and only Kafka accepts it", async () => {
      await produceNotJson(p, 30, "alerts-restart-test");
      await pollUntil(deliveries, (rows) => rows.length > 0, {
        deadlineMs: 60_000,
        intervalMs: 250,
        what: "Kafka's delivery of the firing alert to be stored",
      });
      const stored = await p.rows<{ alert_id: string; status: string; notifiers: string[]; at: number }>(
        "SELECT alert_id, status, notifiers, toUnixTimestamp64Milli(at) AS at FROM alert_state ORDER BY at",
      );
      assertEquals(stored.map(({ at: _, ...s }) => s), [{
        alert_id: ID,
        status: "firing",
        notifiers: ["kafka", "webhook"],
      }]);
      firedAt = Number(stored[0].at);
      assertEquals(await deliveries(), [{ alert_id: ID, status: "firing", notifier: "kafka" }]);
      strictEqual(hook.received.length, 0);
    });

    await t.step(
      "SQL users cannot change the alert state or its deliveries, on the endpoint or in the console",
      async () => {
        const attacks = [
          `INSERT INTO alert_state (alert_id, status, at, alert) VALUES ('${ID}', 'resolved', now64(3), '{}')`,
          "ALTER TABLE alert_state DELETE WHERE 1",
          "ALTER TABLE alert_state UPDATE status = 'resolved' WHERE 1",
          "TRUNCATE TABLE alert_state",
          "DROP TABLE alert_state",
          "INSERT INTO alert_state SELECT * FROM alert_state",
          // Marking the webhook's delivery done would silence the notification the owner is owed.
          `INSERT INTO alert_deliveries SELECT alert_id, at, 'webhook', now64(3) FROM alert_state`,
          "ALTER TABLE alert_deliveries DELETE WHERE 1",
          "TRUNCATE TABLE alert_deliveries",
          "DROP TABLE alert_deliveries",
        ];
        for (const sql of attacks) {
          const endpoint = await fetch(p.sql.url, { method: "POST", body: sql, headers: auth });
          strictEqual(endpoint.status, 403, sql);
          match(await endpoint.text(), /Code: 164/, sql);
          const console = await fetch(`${p.sql.url}dashboard/api/sql`, {
            method: "POST",
            body: sql,
            headers: { ...auth, "X-Requested-With": "test" },
          });
          strictEqual(console.status, 403, `console: ${sql}`);
          match(await console.text(), /Code: 164/, `console: ${sql}`);
        }
        const stored = await p.rows<{ status: string }>("SELECT status FROM alert_state");
        assertEquals(stored, [{ status: "firing" }]);
        assertEquals(await deliveries(), [{ alert_id: ID, status: "firing", notifier: "kafka" }]);
      },
    );

    await t.step(
      "killed and restarted with the webhook up, the processor sends it the firing once and keeps the alert",
      async () => {
        const pidFile = `${p.dataRoot}/run/processor.pid`;
        const pid = readPid(pidFile);
        ok(pid !== undefined && isAlive(pid), "the processor was running");
        Deno.kill(pid, "SIGKILL");
        const processorPort = Number(new URL(p.sql.url).port);
        // Its threads (chdb's) still hold the port a moment after the main one is gone.
        await pollUntil(() => Promise.resolve(!isAlive(pid) && portFree(processorPort)), (gone) => gone, {
          deadlineMs: 15_000,
          intervalMs: 100,
          what: "the killed processor to exit and free its port",
        });
        await Deno.remove(pidFile).catch(() => {});
        hook.up();
        const restartedAt = Date.now();
        await startPipeline({
          dataRoot: p.dataRoot,
          kafkaPort: Number(new URL(`http://${p.kafkaBootstrap}`).port),
          processorPort,
          collectorPort: Number(new URL(p.collectorUrl).port),
          env,
        });
        const alerts = () =>
          fetch(`${p.sql.url}dashboard/api/alerts`, { headers: { ...auth, "X-Requested-With": "test" } })
            .then((r) => r.json() as Promise<{ evaluatedAt: number | null; firing: { alert_id: string }[] }>);
        // A few rounds of the restarted service: still firing (or already resolved by it), never fired again.
        const view = await pollUntil(alerts, (v) => (v.evaluatedAt ?? 0) > restartedAt + 3000, {
          deadlineMs: 60_000,
          intervalMs: 250,
          what: "three seconds of rounds after the restart",
        });
        const statuses = hook.received.map((a) => a.status);
        ok(
          view.firing.some((a) => a.alert_id === ID) || statuses.includes("resolved"),
          "the restarted processor knows the alert",
        );
        assertEquals(
          hook.received.filter((a) => a.status === "firing").map((a) => [a.alert_id, a.at]),
          [[ID, firedAt]],
          "the owed firing, once, as it was stored",
        );
        const firingDeliveries = (await deliveries()).filter((d) => d.status === "firing");
        assertEquals(firingDeliveries.map((d) => d.notifier), ["kafka", "webhook"], "each notifier once");
      },
    );

    await t.step("the restarted processor resolves it once", async () => {
      await pollUntil(
        () => Promise.resolve(hook.received.map((a) => a.status)),
        (s) => s.includes("resolved"),
        {
          deadlineMs: 120_000,
          intervalMs: 500,
          what: "the alert to resolve once its window passed",
        },
      );
      assertEquals(hook.received.map((a) => [a.alert_id, a.status]), [[ID, "firing"], [ID, "resolved"]]);
      const stored = await p.rows<{ status: string }>("SELECT status FROM alert_state ORDER BY at");
      assertEquals(stored.map((r) => r.status), ["firing", "resolved"]);
      await pollUntil(deliveries, (rows) => rows.length === 4, {
        deadlineMs: 30_000,
        intervalMs: 250,
        what: "both notifiers' deliveries of the resolution to be stored",
      });
    });
  } finally {
    await p.stop();
    await hook.close();
    await Deno.remove(rulesFile).catch(() => {});
  }
});
