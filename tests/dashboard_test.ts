// The dashboard, SQL console and alerts on the real pipeline, in Debian's Chromium (playwright-core):
// simulated shoppers flow through collector → Kafka → ClickHouse while the page refreshes; once the
// traffic stops and Kafka is drained, every number on screen must equal its SQL file's result for
// the same window. The console must show the engine's refusals; an ingest-error spike must fire
// one alert and resolve it once, on the webhook, the alerts topic and the page. One pipeline and
// one browser serve every step (the machine is small). Screenshots: .cache/screenshots/.
import { deepStrictEqual as assertEquals, match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Consumer, MessagesStreamModes, stringDeserializers } from "@platformatic/kafka";
import type { BrowserContext } from "playwright-core";
import { launchChromium } from "../stack/chromium.ts";
import { simulate } from "../loadtest/simulate.ts";
import { topicsFromEnv } from "../contract/mod.ts";
import { produceNotJson } from "./helpers/ingest_errors.ts";
import { pollUntil, sqlFileRows, startTestPipeline } from "../stack/testing.ts";
import { RANGES } from "../processor/dashboard/panels.ts";
import type { Alert } from "../processor/alerts/evaluate.ts";
import { assertShowsSql, panelLayout, readScreen, webhookReceiver } from "./helpers/dashboard.ts";
import { PANEL_QUERIES, QUERIES_DIR, readQueryFiles } from "../processor/dashboard/queries.ts";
import { localMidnight } from "../loadtest/truth/units.ts";

const SCREENSHOTS = fileURLToPath(new URL("../.cache/screenshots/", import.meta.url));
const SITE = "dashtest";
/** A second site, in a zone eleven or ten hours off UTC: the page's days and hours must be its. */
const SYDNEY = { site: "dashtest-syd", timeZone: "Australia/Sydney" };
const FORMULA = '=HYPERLINK("http://evil.example","x")';

Deno.test("dashboard, SQL console and alerts on the real pipeline", async (t) => {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  const hook = await webhookReceiver();
  const rulesFile = await Deno.makeTempFile({ suffix: ".json" });
  // Short windows and a 1 s schedule so a spike fires and clears within the test.
  await Deno.writeTextFile(
    rulesFile,
    JSON.stringify({
      evaluateEverySeconds: 1,
      rules: [
        { id: "ingest-errors", kind: "ingest_errors", threshold: 6, windowSeconds: 20 },
        { id: "consumer-lag", kind: "consumer_lag", threshold: 1_000_000 },
      ],
    }),
  );
  const sitesFile = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(
    sitesFile,
    JSON.stringify({ sites: [{ id: SYDNEY.site, time_zone: SYDNEY.timeZone }] }),
  );
  const p = await startTestPipeline({
    env: { ALERTS_CONFIG: rulesFile, ALERTS_WEBHOOK_URL: hook.url, PROCESSOR_SITES_FILE: sitesFile },
  });
  const browser = await launchChromium();
  const traffic = new AbortController();
  let context: BrowserContext | undefined;
  try {
    const base = p.sql.url.replace(/\/$/, "");
    const simulation = simulate({
      collector: p.collectorUrl,
      site: SITE,
      eps: 40,
      durationMs: 10 * 60_000,
      seed: 4242,
      signal: traffic.signal,
    });
    context = await browser.newContext({
      httpCredentials: { username: p.sql.user, password: p.sql.password },
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

    await t.step("is behind the SQL users' password", async () => {
      const none = await fetch(`${base}/dashboard/`);
      const wrong = await fetch(`${base}/dashboard/api/panels`, {
        headers: { Authorization: `Basic ${btoa("default:nope")}` },
      });
      assertEquals([none.status, wrong.status], [401, 401]);
      match(none.headers.get("WWW-Authenticate") ?? "", /Basic realm="Shoptrail"/);
      await Promise.all([none.body?.cancel(), wrong.body?.cancel()]);
    });

    await t.step("shows live numbers that grow while shoppers arrive, with uPlot charts", async () => {
      await page.goto(`${base}/dashboard/?site=${SITE}&range=15m`);
      const first = await pollUntil(
        () => readScreen(page),
        (s) => Number(s.metrics["kpis.page_views"]?.value) > 0,
        {
          deadlineMs: 60_000,
          intervalMs: 500,
          what: "page views on the dashboard",
        },
      );
      const later = await pollUntil(
        () => readScreen(page),
        (s) =>
          s.refreshes > first.refreshes &&
          Number(s.metrics["kpis.page_views"].value) > Number(first.metrics["kpis.page_views"].value),
        { deadlineMs: 30_000, intervalMs: 500, what: "page views to grow without a reload" },
      );
      strictEqual(later.charts, 3, "funnel, revenue and throughput, each a uPlot canvas");
      strictEqual(later.params.site, SITE);
    });

    await t.step("switches the time range with the picker", async () => {
      await page.click('[data-range="1h"]');
      const s = await pollUntil(() => readScreen(page), (s) => s.to - s.from === 3_600_000, {
        deadlineMs: 20_000,
        intervalMs: 200,
        what: "a 1 h window",
      });
      strictEqual(new URL(page.url()).searchParams.get("range"), "1h");
      strictEqual(s.to - s.from, 3_600_000);
    });

    await t.step("takes a visit whose page and campaign look like spreadsheet formulas", async () => {
      // Shoppers' browsers name pages and campaigns: the CSV export below must not hand them to a
      // spreadsheet as formulas.
      const response = await fetch(`${p.collectorUrl}/v1/batch`, {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({
          site: SITE,
          sent_at: Date.now(),
          events: [{
            event_id: crypto.randomUUID(),
            type: "page_view",
            ts: Date.now(),
            session_id: "formula-visit",
            anonymous_id: "formula-shopper",
            url: `https://shop.test/landing?utm_source=x&utm_campaign=${encodeURIComponent(FORMULA)}`,
            utm_source: "x",
            utm_campaign: FORMULA,
          }],
        }),
      });
      strictEqual(response.status, 202, await response.text());
    });

    await t.step("shows exactly what the SQL files answer for the same window", async () => {
      traffic.abort();
      const summary = await simulation;
      ok(summary.accepted > 100, `the simulator sent ${summary.accepted} events`);
      // Drained: the events of this site stop changing and ClickHouse has committed every offset.
      let previous = -1;
      await pollUntil(
        async () => {
          const [{ n }] = await p.rows<{ n: string }>(
            `SELECT count() AS n FROM events WHERE site = '${SITE}'`,
          );
          const stable = Number(n) === previous;
          previous = Number(n);
          return stable;
        },
        (stable) => stable,
        { deadlineMs: 60_000, intervalMs: 1500, what: "events to stop arriving" },
      );
      const settledAt = Date.now();
      const screen = await pollUntil(
        () => readScreen(page),
        (s) => s.to >= settledAt + 1000 && s.lag.length === 6 && s.lag.every((row) => row.lag === "0"),
        { deadlineMs: 60_000, intervalMs: 500, what: "a refresh after the drain showing no Kafka lag" },
      );
      await assertShowsSql(p, screen);
      await page.screenshot({ path: join(SCREENSHOTS, "dashboard.png"), fullPage: true });
    });

    await t.step("each of the five ranges shows what the SQL files answer for its window", async () => {
      for (const [range, length] of Object.entries(RANGES)) {
        const clickedAt = Date.now();
        await page.click(`[data-range="${range}"]`);
        const screen = await pollUntil(
          () => readScreen(page),
          (s) => s.to - s.from === length && s.to >= clickedAt,
          { deadlineMs: 30_000, intervalMs: 200, what: `a ${range} window` },
        );
        strictEqual(new URL(page.url()).searchParams.get("range"), range);
        strictEqual(screen.charts, 3, `${range}: three charts`);
        await assertShowsSql(p, screen);
      }
    });

    await t.step(
      "a breakdown row filters the whole dashboard, and the filtered URL can be shared",
      async () => {
        await page.click('[data-range="24h"]');
        await pollUntil(
          () => readScreen(page),
          (s) => s.to - s.from === RANGES["24h"] && s.countries.length > 0,
          {
            deadlineMs: 30_000,
            intervalMs: 200,
            what: "a 24 h window with countries",
          },
        );
        for (const selector of ["#countries tbody tr", "#top-pages tbody tr", "#sources tbody tr"]) {
          const filter = await page.getAttribute(selector, "data-filter");
          ok(filter, `${selector} carries its filter`);
          await page.click(selector);
          const screen = await pollUntil(
            () => readScreen(page),
            (s) => s.filter === filter && s.files.kpis === "filtered_kpis",
            { deadlineMs: 30_000, intervalMs: 200, what: `the dashboard filtered by ${filter}` },
          );
          strictEqual(new URL(page.url()).searchParams.get("filter"), filter);
          ok(await page.isVisible("#filter"), "the filter is shown, with a way to clear it");
          await assertShowsSql(p, screen);
          // Shared: the same URL opened elsewhere shows the same filtered view.
          const shared = await context!.newPage();
          await shared.goto(page.url());
          const there = await pollUntil(() => readScreen(shared), (s) => s.refreshes > 0, {
            deadlineMs: 30_000,
            intervalMs: 200,
            what: "the shared URL to render",
          });
          assertEquals([there.filter, there.files], [filter, screen.files]);
          await assertShowsSql(p, there);
          await shared.close();
          await page.click("#filter-clear");
          await pollUntil(() => readScreen(page), (s) => s.filter === "" && s.files.kpis === "kpis", {
            deadlineMs: 30_000,
            intervalMs: 200,
            what: "the filter to clear",
          });
        }
      },
    );

    await t.step(
      "custom dates: whole UTC days, today up to now, with the previous period's change",
      async () => {
        const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
        await page.fill("#custom-from", day(-1));
        await page.fill("#custom-to", day(0));
        await page.click('#custom [data-range="custom"]');
        const screen = await pollUntil(
          () => readScreen(page),
          (s) => s.params.from === `${day(-1)} 00:00:00` && s.refreshes > 0,
          { deadlineMs: 30_000, intervalMs: 200, what: "the custom window" },
        );
        assertEquals(
          [...new URL(page.url()).searchParams.entries()].filter(([k]) => k === "from" || k === "to"),
          [["from", day(-1)], ["to", day(0)]],
        );
        strictEqual(screen.previousParams.to, screen.params.from);
        await assertShowsSql(p, screen);
      },
    );

    await t.step(
      "a site in Australia/Sydney: custom dates are its days, the axes and labels its hours",
      async () => {
        const today = new Intl.DateTimeFormat("en-CA", { timeZone: SYDNEY.timeZone }).format(Date.now());
        await page.goto(`${base}/dashboard/?site=${SYDNEY.site}&from=${today}&to=${today}`);
        const screen = await pollUntil(
          () => readScreen(page),
          (s) => s.params.site === SYDNEY.site && s.refreshes > 0,
          { deadlineMs: 30_000, intervalMs: 200, what: "the Sydney site's custom day" },
        );
        // The panels were queried from Sydney's midnight, 13:00 or 14:00 UTC the day before.
        const midnight = localMidnight(Date.now(), SYDNEY.timeZone);
        strictEqual(screen.params.from, new Date(midnight).toISOString().slice(0, 19).replace("T", " "));
        strictEqual(screen.previousParams.to, screen.params.from);
        strictEqual(await page.textContent("#zone"), `times in ${SYDNEY.timeZone}`);
        // The funnel's x axis: each tick's label (uPlot's "2pm" or "2:30pm") is the tick's Sydney hour.
        // `charts` is dashboard.js's global; _splits and _values are uPlot's ticks as last drawn.
        const axis = await page.evaluate<{ splits: number[]; values: string[] }>(
          "(() => { const a = charts.funnel.plot.axes[0]; return { splits: a._splits, values: a._values }; })()",
        );
        const hour12 = (ms: number, timeZone: string) => {
          const h = Number(
            new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(ms),
          );
          return `${h % 12 || 12}${h < 12 ? "am" : "pm"}`;
        };
        const ticks = axis.splits.map((t, i) => ({
          t: t * 1000,
          label: String(axis.values[i]).split("\n")[0].replace(/:\d\d/, ""),
        })).filter((x) => /^\d{1,2}[ap]m$/.test(x.label));
        ok(ticks.length > 0, `hour labels on the axis: ${JSON.stringify(axis)}`);
        for (const { t, label } of ticks) strictEqual(label, hour12(t, SYDNEY.timeZone), `tick at ${t}`);
        ok(ticks[0].label !== hour12(ticks[0].t, "UTC"), "the label is not the UTC hour");
        // Back to the shoppers' site for the steps that follow.
        await page.goto(`${base}/dashboard/?site=${SITE}&range=15m`);
        await pollUntil(() => readScreen(page), (s) => s.params.site === SITE && s.refreshes > 0, {
          deadlineMs: 30_000,
          intervalMs: 200,
          what: "the shoppers' site again",
        });
      },
    );

    await t.step("every panel exports its rows as CSV; formula-looking cells are neutralised", async () => {
      await page.click('[data-range="1h"]');
      await page.click('[data-tabs="sources"] [data-tab="utm_campaign"]');
      const screen = await pollUntil(
        () => readScreen(page),
        (s) => s.to - s.from === RANGES["1h"] && s.sources.dimension === "utm_campaign",
        { deadlineMs: 30_000, intervalMs: 200, what: "a 1 h window showing campaigns" },
      );
      const queries = await readQueryFiles(PANEL_QUERIES, QUERIES_DIR);
      for (
        const panel of await page.$$eval("[data-csv]", (bs) => bs.map((b) => (b as HTMLElement).dataset.csv!))
      ) {
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.click(`[data-csv="${panel}"]`),
        ]);
        const text = await Deno.readTextFile((await download.path())!);
        const lines = text.split("\r\n").filter(Boolean);
        ok(lines.length >= 2, `${panel}: a header and rows`);
        match(download.suggestedFilename(), new RegExp(`^shoptrail-${SITE}-${panel}-\\d+\\.csv$`));
        const file = { sources: "sources", countries: "countries", topPages: "top_pages" }[panel];
        if (file) {
          // The same rows as the SQL file, one line each, under its column names.
          const rows = await sqlFileRows(p, queries[file as keyof typeof queries], screen.params);
          strictEqual(lines.length, rows.length + 1, `${panel}: one line per row`);
          strictEqual(lines[0], Object.keys(rows[0]).join(","), `${panel}: the columns`);
        }
      }
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click('[data-csv="sources"]'),
      ]);
      const sources = await Deno.readTextFile((await download.path())!);
      const attack = sources.split("\r\n").find((line) => line.includes("HYPERLINK"));
      strictEqual(
        attack?.split(",").slice(0, 2).join(","),
        `utm_campaign,"'=HYPERLINK(""http://evil.example""`,
      );
      // The console's result, every row, with the same neutralising.
      const consolePage = await context!.newPage();
      await consolePage.goto(`${base}/dashboard/console`);
      await consolePage.fill("#sql", "SELECT number, {v:String} AS v, 'a,\"b' AS quoted FROM numbers(3)");
      await consolePage.fill('#params input[name="v"]', "@cmd");
      await consolePage.click("#run");
      await consolePage.waitForSelector("#results tbody tr");
      const [result] = await Promise.all([consolePage.waitForEvent("download"), consolePage.click("#csv")]);
      strictEqual(
        await Deno.readTextFile((await result.path())!),
        'number,v,quoted\r\n0,\'@cmd,"a,""b"\r\n1,\'@cmd,"a,""b"\r\n2,\'@cmd,"a,""b"\r\n',
      );
      await consolePage.close();
    });

    await t.step("fits a phone (390 px) and a laptop (1400 px): no panel is empty or overflows", async () => {
      for (const [width, name] of [[390, "dashboard-phone"], [1400, "dashboard-laptop"]] as const) {
        await page.setViewportSize({ width, height: 900 });
        const layout = await pollUntil(
          () => panelLayout(page),
          (l) => l.page <= l.screen && l.bad.length === 0,
          {
            deadlineMs: 15_000,
            intervalMs: 300,
            what: `every panel filled and inside the screen at ${width} px`,
          },
        );
        ok(layout.panels >= 10, `${layout.panels} panels checked`);
        await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    await t.step("console runs a query with its timing and keeps it in the history", async () => {
      const consolePage = await context!.newPage();
      await consolePage.goto(`${base}/dashboard/console`);
      // The history is this browser's: the CSV step above ran a query too.
      const earlier = await consolePage.locator("#history li[data-i]").count();
      await consolePage.fill(
        "#sql",
        `SELECT type, count() AS n FROM events WHERE site = {site:String} GROUP BY type ORDER BY type`,
      );
      await consolePage.fill('#params input[name="site"]', SITE);
      await consolePage.click("#run");
      await consolePage.waitForSelector("#results tbody tr", { timeout: 20_000 });
      const shown = await consolePage.$$eval(
        "#results tbody tr",
        (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)),
      );
      const expected = await p.rows<{ type: string; n: string }>(
        `SELECT type, count() AS n FROM events WHERE site = '${SITE}' GROUP BY type ORDER BY type`,
      );
      assertEquals(shown, expected.map((r) => [r.type, r.n]));
      match(
        await consolePage.textContent("#timing") ?? "",
        /\d+ rows · engine [\d.]+ ms · round trip \d+ ms/,
      );
      strictEqual(await consolePage.locator("#history li[data-i]").count(), earlier + 1);

      const refusals: [string, RegExp][] = [
        ["INSERT INTO events (event_id) VALUES ('x')", /Code 164: .*readonly/i],
        ["ALTER TABLE events DELETE WHERE 1", /Code 164: .*readonly/i],
        ["DROP TABLE events", /Code 164: .*readonly/i],
        ["SET readonly = 0", /Code 164: .*readonly/i],
        ["SELECT * FROM system.users", /Code 497: .*Not enough privileges/],
        ["SELECT 1; DROP TABLE events", /Multi-statements are not allowed/],
      ];
      for (const [sql, expectedError] of refusals) {
        await consolePage.fill("#sql", sql);
        await consolePage.click("#run");
        await consolePage.waitForFunction(() => !document.querySelector<HTMLButtonElement>("#run")!.disabled);
        const error = await consolePage.textContent("#error");
        ok(await consolePage.isVisible("#error"), `an error is shown for ${sql}`);
        match(error ?? "", expectedError, sql);
      }
      await consolePage.screenshot({ path: join(SCREENSHOTS, "console.png"), fullPage: true });
      strictEqual(await consolePage.locator("#history li.failed").count(), refusals.length);
      const [{ n }] = await p.rows<{ n: string }>(
        "SELECT count() AS n FROM system.tables WHERE database = 'default' AND name = 'events'",
      );
      strictEqual(n, "1", "events still exists");
      await consolePage.close();
    });

    await t.step(
      "an ingest-error spike fires one alert and resolves it once: webhook, alerts topic, page",
      async () => {
        const topics = topicsFromEnv((name) => p.env[name]);
        await produceNotJson(p, 30, "dashboard-test");
        const id = "ingest-errors:pipeline";
        await pollUntil(
          () => Promise.resolve(hook.received.map((a) => a.status)),
          (s) => s.includes("firing"),
          {
            deadlineMs: 60_000,
            what: "the webhook to get the firing alert",
          },
        );
        await pollUntil(() => readScreen(page), (s) => s.firing.includes(id), {
          deadlineMs: 20_000,
          intervalMs: 500,
          what: "the page to show the firing alert",
        });
        await pollUntil(
          () => Promise.resolve(hook.received.map((a) => a.status)),
          (s) => s.includes("resolved"),
          {
            deadlineMs: 90_000,
            intervalMs: 500,
            what: "the alert to resolve once the window passed",
          },
        );
        const screen = await pollUntil(() => readScreen(page), (s) => s.recent.includes(`${id}:resolved`), {
          deadlineMs: 20_000,
          intervalMs: 500,
          what: "the page to list the resolution",
        });
        strictEqual(screen.firing.includes(id), false);
        assertEquals(hook.received.map((a) => [a.alert_id, a.status]), [[id, "firing"], [id, "resolved"]]);
        ok(hook.received[0].value > 6);

        const consumer = new Consumer({
          groupId: `dashboard-test-${crypto.randomUUID()}`,
          clientId: "dashboard-test",
          bootstrapBrokers: [p.kafkaBootstrap],
          deserializers: stringDeserializers,
        });
        const onTopic: [string | undefined, string][] = [];
        try {
          const stream = await consumer.consume({
            topics: [topics.alerts.name],
            mode: MessagesStreamModes.EARLIEST,
            autocommit: false,
          });
          const timer = setTimeout(() => stream.close(), 30_000); // fewer messages than expected: stop and fail below
          for await (const message of stream) {
            const alert = JSON.parse(message.value) as Alert;
            onTopic.push([message.key, alert.status]);
            if (onTopic.length === 2) break;
          }
          clearTimeout(timer);
          await stream.close();
        } finally {
          await consumer.close(true);
        }
        assertEquals(onTopic, [[id, "firing"], [id, "resolved"]]);
      },
    );

    assertEquals(errors, [], "the pages reported no errors");
  } finally {
    traffic.abort();
    await context?.close();
    await browser.close();
    await p.stop();
    await hook.close();
    await Deno.remove(rulesFile).catch(() => {});
    await Deno.remove(sitesFile).catch(() => {});
  }
});
