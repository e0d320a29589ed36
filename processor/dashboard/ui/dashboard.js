// The dashboard page: one fetch of /dashboard/api/panels per refresh, rendered in place. Charts are
// created once and fed with setData, text changes only where a value changed, and every refresh
// keeps the last good data on screen when a fetch fails: no flicker, no layout jumps.
/* global api, uPlot, renderAlerts, renderTables (tables.js), renderBreakdowns, wireBreakdowns (breakdowns.js),
   toCsv, downloadCsv (csv.js) */
"use strict";

const REFRESH_MS = 5000;
const params = new URLSearchParams(location.search);
const state = {
  range: params.get("from") ? "custom" : params.get("range") || "1h",
  // Custom dates (YYYY-MM-DD, the site's days), when range is "custom".
  from: params.get("from") || "",
  to: params.get("to") || "",
  // "dimension:value" from a breakdown row, or "" for all visits.
  filter: params.get("filter") || "",
  site: params.get("site") || "",
  // The site's time zone (IANA) as the API names it: the axes and every time on the page are its.
  timeZone: "UTC",
  live: true,
  timer: 0,
};
/** The last refresh's document: the CSV buttons export its panels. */
let last;
const charts = {};
const $ = (sel) => document.querySelector(sel);

const fmt = {
  int: new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 }),
  decimal: new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
  percent: new Intl.NumberFormat("en-US", {
    style: "percent",
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }),
  money: new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
};

const clocks = new Map();
/** A wall-clock time (Unix ms) in the site's zone: HH:MM, or HH:MM:SS with `seconds`. */
function clockText(ms, seconds = false) {
  const key = `${state.timeZone} ${seconds}`;
  if (!clocks.has(key)) {
    clocks.set(
      key,
      new Intl.DateTimeFormat("en-GB", {
        timeZone: state.timeZone,
        hourCycle: "h23",
        hour: "2-digit",
        minute: "2-digit",
        ...(seconds ? { second: "2-digit" } : {}),
      }),
    );
  }
  return clocks.get(key).format(ms);
}

function format(kind, value) {
  if (value === undefined || value === null || value === "") return "–";
  const n = Number(value);
  if (kind === "percent") return fmt.percent.format(n);
  if (kind === "decimal") return fmt.decimal.format(n);
  if (kind === "time") return clockText(n * 1000);
  if (kind === "age") return n === 0 ? "never" : `${Math.max(0, Math.round((Date.now() - n) / 1000))} s ago`;
  return fmt.int.format(n);
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function pick(data, path) {
  return path.split(".").reduce((v, k) => (v == null ? undefined : v[k]), data);
}

/**
 * The window's grid in Unix seconds: minutes, or UTC hours for ranges over a day (`d.step`), as the
 * revenue and ingest tables key them. The funnel's hours are the site's (`d.hours`).
 */
function grid(d) {
  const xs = [];
  for (let t = Math.floor(d.from / 1000 / d.step) * d.step; t < d.to / 1000; t += d.step) xs.push(t);
  return xs;
}
function align(xs, rows, key, pickRow = () => true) {
  const byT = new Map(rows.filter(pickRow).map((r) => [Number(r.t), Number(r[key])]));
  return xs.map((t) => byT.get(t) ?? 0);
}

function chart(name, el, series, data, extra = {}) {
  const width = el.clientWidth || 300;
  const opts = {
    width,
    height: Number(el.dataset.height || 200),
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } },
    // The x axis and the legend's time in the site's zone, read at each draw (a new site, a new zone).
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), state.timeZone),
    axes: [{}, { size: 60 }],
    // Lines only: a point per minute is noise. The anomaly series turns its own points back on.
    series: [{}, ...series.map((s) => ({ points: { show: false }, ...s }))],
    ...extra,
  };
  if (charts[name]?.key === JSON.stringify(series.map((s) => s.label))) {
    charts[name].plot.setData(data);
    return;
  }
  charts[name]?.observer.disconnect();
  charts[name]?.plot.destroy();
  const plot = new uPlot(opts, data, el);
  // Width follows the card; the height is fixed, so a resize never feeds back into itself.
  const observer = new ResizeObserver(() => {
    if (plot.width !== el.clientWidth) {
      plot.setSize({ width: el.clientWidth, height: Number(el.dataset.height || 200) });
    }
  });
  observer.observe(el);
  charts[name] = { plot, observer, key: JSON.stringify(series.map((s) => s.label)) };
}

const COLORS = ["#2f6fdb", "#e08a1e", "#1f8a4c", "#8a4fd1", "#c62f3a"];

// The five steps, in order: page view → product view → add to cart → begin checkout → purchase.
const FUNNEL_STEPS = ["viewers", "product_viewers", "carters", "checkout_starters", "purchasers"];

function renderFunnel(d) {
  // Its hourly table keys the site's hours, at :30 UTC in a zone half an hour off (the API lists them).
  const xs = d.hours ?? grid(d);
  chart(
    "funnel",
    $("#funnel-chart"),
    FUNNEL_STEPS.map((step, i) => ({ label: step.replace("_", " "), stroke: COLORS[i], width: 2 })),
    [xs, ...FUNNEL_STEPS.map((step) => align(xs, d.funnel, step))],
  );
  // The last complete minute or hour: the grid's last one if it has ended by `to`, else the one before.
  const last = xs.at(-1) + d.step <= d.to / 1000 ? xs.at(-1) : xs.at(-2);
  const row = d.funnel.find((r) => Number(r.t) === last) ??
    Object.fromEntries(FUNNEL_STEPS.map((step) => [step, 0]));
  d.funnelLast = { minute: last, ...row };
}

function renderRevenue(d) {
  const xs = grid(d).map((t) => t + d.step); // windows are labelled by their end
  const currencies = d.revenueTotals.map((r) => r.currency).slice(0, 4);
  const flagged = d.anomalies.filter((a) => Number(a.flagged) === 1 && currencies.includes(a.currency));
  // A flagged 5-minute bucket is marked at the end of the window that holds its end.
  const marks = new Map(
    flagged.map((a) => [Math.ceil((Number(a.t) + 300) / d.step) * d.step, Number(a.revenue)]),
  );
  const series = currencies.map((c, i) => ({ label: c, stroke: COLORS[i % COLORS.length], width: 2 }));
  series.push({
    label: "anomaly",
    stroke: "#c62f3a",
    width: 0,
    points: { show: true, size: 11, fill: "#c62f3a", stroke: "#c62f3a" },
  });
  const data = [
    xs,
    ...currencies.map((c) => align(xs, d.revenueSliding, "revenue", (r) => r.currency === c)),
  ];
  data.push(xs.map((t) => marks.get(t) ?? null));
  chart("revenue", $("#revenue-chart"), series, data);
  setText(
    $("#anomaly-list"),
    flagged.length === 0
      ? "no anomalies in this range"
      : flagged.map((a) =>
        `${format("time", a.t)} ${a.currency} ${fmt.money.format(Number(a.revenue))} (z = ${a.z})`
      ).join(" · "),
  );
}

function renderThroughput(d) {
  const xs = grid(d);
  chart(
    "throughput",
    $("#throughput-chart"),
    [
      { label: `events/${d.step === 60 ? "min" : "h"}`, stroke: COLORS[0], width: 2, scale: "events" },
      { label: `ingest errors/${d.step === 60 ? "min" : "h"}`, stroke: "#c62f3a", width: 2, scale: "errors" },
    ],
    [xs, align(xs, d.throughput, "events"), align(xs, d.throughput, "errors")],
    {
      axes: [{}, { scale: "events", size: 60 }, {
        scale: "errors",
        side: 1,
        size: 40,
        grid: { show: false },
      }],
    },
  );
}

function render(d) {
  const main = $("#dashboard");
  main.dataset.from = String(d.from);
  main.dataset.to = String(d.to);
  main.dataset.site = d.site;
  main.dataset.params = JSON.stringify(d.params);
  state.site = d.site;
  state.timeZone = d.timeZone;
  setText($("#zone"), `times in ${d.timeZone}`);
  const select = $("#site");
  const options = d.sites.includes(d.site) ? d.sites : [d.site, ...d.sites];
  if (select.dataset.options !== options.join("\n")) {
    select.innerHTML = options.map((s) => `<option>${escape(s)}</option>`).join("");
    select.dataset.options = options.join("\n");
  }
  select.value = d.site;
  renderFunnel(d);
  renderRevenue(d);
  renderThroughput(d);
  renderTables(d);
  renderBreakdowns(d);
  renderAlerts(d);
  main.dataset.filter = d.filter ? `${d.filter.dimension}:${d.filter.value}` : "";
  main.dataset.files = JSON.stringify(d.files);
  main.dataset.previousParams = JSON.stringify(d.previousParams);
  $("#filter").hidden = !d.filter;
  setText($("#filter-text"), d.filter ? `only visits with ${d.filter.dimension} = ${d.filter.value}` : "");
  // Panels that read no visit dimensions say so under a filter: their numbers are the site's.
  setText($("#top-products-scope"), d.filter ? "all visits" : "");
  setText($("#anomaly-scope"), d.filter ? "(all visits)" : "");
  last = d;
  for (const el of document.querySelectorAll("[data-metric]")) {
    if (el.closest("tbody")) continue;
    const value = pick(d, el.dataset.metric);
    el.dataset.value = value ?? "";
    setText(el, format(el.dataset.format, value));
  }
  const total = Object.values(d.timings).reduce((a, b) => Math.max(a, b), 0);
  setText(
    $("#updated"),
    `updated ${clockText(d.to, true)} · slowest query ${total} ms`,
  );
  main.dataset.refreshes = String(Number(main.dataset.refreshes || 0) + 1);
}

/** The route's error message ({"error": {"message"}}), else the answer as it came. */
function problemText(body) {
  try {
    return JSON.parse(body).error.message ?? body;
  } catch {
    return body;
  }
}

async function refresh() {
  clearTimeout(state.timer);
  const query = urlQuery();
  try {
    const response = await api(`/dashboard/api/panels?${query}`, { cache: "no-store" });
    if (!response.ok) throw new Error(`${response.status} ${problemText(await response.text())}`);
    render(await response.json());
    $("#problem").hidden = true;
  } catch (error) {
    const box = $("#problem");
    setText(box, `Refresh failed, showing the last good data: ${error.message}`);
    box.hidden = false;
  }
  if (state.live) state.timer = setTimeout(refresh, REFRESH_MS);
}

function syncControls() {
  for (const b of document.querySelectorAll("[data-range]")) {
    b.setAttribute("aria-pressed", String(b.dataset.range === state.range));
  }
  const live = $("#live");
  live.setAttribute("aria-pressed", String(state.live));
  live.textContent = state.live ? "● live" : "❚❚ paused";
  $("#custom-from").value = state.from;
  $("#custom-to").value = state.to;
  history.replaceState(null, "", `?${urlQuery()}`);
}

/** The page's state as the URL's query, which is also the API's: a filtered view can be shared. */
function urlQuery() {
  return new URLSearchParams({
    ...(state.range === "custom" ? { from: state.from, to: state.to } : { range: state.range }),
    ...(state.site ? { site: state.site } : {}),
    ...(state.filter ? { filter: state.filter } : {}),
  });
}

// deno-lint-ignore no-unused-vars -- a global for breakdowns.js
function applyFilter(dimension, value) {
  state.filter = `${dimension}:${value}`;
  syncControls();
  refresh();
}

for (const b of document.querySelectorAll(".ranges [data-range]")) {
  b.addEventListener("click", () => {
    state.range = b.dataset.range;
    syncControls();
    refresh();
  });
}
$("#custom").addEventListener("submit", (e) => {
  e.preventDefault();
  state.range = "custom";
  state.from = $("#custom-from").value;
  state.to = $("#custom-to").value;
  syncControls();
  refresh();
});
$("#filter-clear").addEventListener("click", () => {
  state.filter = "";
  syncControls();
  refresh();
});
// Each panel's rows as its SQL file returned them, as CSV: the file named after the panel and window.
for (const b of document.querySelectorAll("[data-csv]")) {
  b.addEventListener("click", () => {
    if (!last) return;
    const panel = b.dataset.csv;
    const data = last[panel];
    const rows = Array.isArray(data) ? data : [data];
    const stamp = `${last.params.from}_${last.params.to}`.replace(/[^0-9]+/g, "");
    downloadCsv(`shoptrail-${last.site}-${panel}-${stamp}.csv`, toCsv(rows));
  });
}
wireBreakdowns(() => last && renderBreakdowns(last));
$("#site").addEventListener("change", (e) => {
  state.site = e.target.value;
  syncControls();
  refresh();
});
$("#live").addEventListener("click", () => {
  state.live = !state.live;
  syncControls();
  if (state.live) refresh();
  else clearTimeout(state.timer);
});
syncControls();
refresh();
