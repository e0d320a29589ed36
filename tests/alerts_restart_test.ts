// Alerts survive a restart of the processor (clickhouse/017_alerts.sql, processor/alerts/store.ts): an
// ingest-error spike fires once; the processor is stopped and started again on the same data while the
// alert still holds; the restarted processor neither fires it again nor forgets it, and resolves it
// once. The state is written by the processor's own session only: SQL users, on the endpoint and in the
// console, cannot change it.
import { deepStrictEqual as assertEquals, match, ok, strictEqual } from "node:assert/strict";
import { produceNotJson } from "./helpers/ingest_errors.ts";
import { startPipeline } from "../stack/pipeline.ts";
import { pollUntil, startTestPipeline } from "../stack/testing.ts";
import { stopPid } from "../lib/process.ts";
import { webhookReceiver } from "./helpers/dashboard.ts";

const ID = "ingest-errors:pipeline";

Deno.test("an alert firing across a processor restart is neither sent again nor forgotten", async (t) => {
  const hook = await webhookReceiver();
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
  try {
    await t.step("an ingest-error spike fires once and is stored", async () => {
      await produceNotJson(p, 30, "alerts-restart-test");
      await pollUntil(() => Promise.resolve(hook.received.length), (n) => n > 0, {
        deadlineMs: 60_000,
        intervalMs: 250,
        what: "the webhook to get the firing alert",
      });
      const stored = await p.rows<{ alert_id: string; status: string }>(
        "SELECT alert_id, status FROM alert_state ORDER BY at",
      );
      assertEquals(stored, [{ alert_id: ID, status: "firing" }]);
    });

    await t.step("SQL users cannot change the alert state, on the endpoint or in the console", async () => {
      const attacks = [
        `INSERT INTO alert_state (alert_id, status, at, alert) VALUES ('${ID}', 'resolved', now64(3), '{}')`,
        "ALTER TABLE alert_state DELETE WHERE 1",
        "ALTER TABLE alert_state UPDATE status = 'resolved' WHERE 1",
        "TRUNCATE TABLE alert_state",
        "DROP TABLE alert_state",
        "INSERT INTO alert_state SELECT * FROM alert_state",
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
    });

    await t.step(
      "restarted, the processor keeps the alert firing without a second notification",
      async () => {
        ok(await stopPid(`${p.dataRoot}/run/processor.pid`), "the processor was running");
        const restartedAt = Date.now();
        await startPipeline({
          dataRoot: p.dataRoot,
          kafkaPort: Number(new URL(`http://${p.kafkaBootstrap}`).port),
          processorPort: Number(new URL(p.sql.url).port),
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
        strictEqual(statuses.filter((s) => s === "firing").length, 1, "fired once");
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
    });
  } finally {
    await p.stop();
    await hook.close();
    await Deno.remove(rulesFile).catch(() => {});
  }
});
