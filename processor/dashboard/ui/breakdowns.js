// The dashboard's breakdowns (top pages, sources, devices, countries), the funnel's bar chart and
// the KPIs' change against the previous period. A breakdown row is a link to the dashboard filtered
// by its value (applyFilter, dashboard.js). Loaded after tables.js, whose rows() and escape() it uses.
/* global $, fmt, format, setText, rows, escape, applyFilter (tables.js, dashboard.js) */
"use strict";

/** The tab each tabbed card shows: its first until the owner picks another. */
const tabs = { sources: "source", devices: "device" };

function money(map) {
  const entries = Object.entries(map ?? {}).filter(([, v]) => Number(v) !== 0);
  return {
    raw: JSON.stringify(map ?? {}),
    text: entries.length ? entries.map(([c, v]) => `${c} ${fmt.money.format(Number(v))}`).join(" · ") : "–",
  };
}

const count = (v) => ({ raw: v ?? 0, text: format("int", v ?? 0) });
const rate = (v) => ({ raw: v ?? 0, text: format("percent", v ?? 0) });

/** A breakdown table's body: each row filters the dashboard by its value when clicked or Enter-ed. */
function breakdownRows(tbody, items, dimension, cells) {
  rows(tbody, items, cells);
  [...tbody.rows].forEach((tr, i) => {
    const dim = dimension(items[i]);
    tr.dataset.filter = `${dim}:${items[i].value ?? items[i].page}`;
    tr.tabIndex = 0;
    tr.title = `Show only the visits with ${dim} ${items[i].value ?? items[i].page}`;
  });
}

function renderTopPages(d) {
  breakdownRows($("#top-pages tbody"), d.topPages, () => "page", (p) => [
    [p.page, "", "page"],
    [count(p.visitors), "num", "visitors"],
    [count(p.page_views), "num opt", "page_views"],
    [count(p.entries), "num opt", "entries"],
    [count(p.exits), "num opt", "exits"],
    [rate(p.conversion_rate), "num", "conversion_rate"],
    [money(p.revenue), "num money", "revenue"],
  ]);
}

/** A tabbed breakdown: the rows of the tab's dimension, the same columns for each. */
function renderDimension(table, items, dimension) {
  if (!table.tHead) {
    table.innerHTML = "<thead><tr><th>value</th><th class=num>visitors</th><th class='num opt'>visits</th>" +
      "<th class='num opt'>views</th><th class=num>conv.</th><th class=num>revenue</th></tr></thead><tbody></tbody>";
  }
  table.dataset.dimension = dimension;
  breakdownRows(table.tBodies[0], items.filter((r) => r.dimension === dimension), (r) => r.dimension, (r) => [
    [r.value, "", "value"],
    [count(r.visitors), "num", "visitors"],
    [count(r.visits), "num opt", "visits"],
    [count(r.page_views), "num opt", "page_views"],
    [rate(r.conversion_rate), "num", "conversion_rate"],
    [money(r.revenue), "num money", "revenue"],
  ]);
}

/** The funnel over the range as horizontal bars: each step's users and its share of the step before. */
const STEPS = [
  ["viewers", "viewed a page"],
  ["product_viewers", "viewed a product"],
  ["carters", "added to cart"],
  ["checkout_starters", "began checkout"],
  ["purchasers", "bought"],
];

function renderSteps(d) {
  const steps = STEPS.filter(([key]) => d.funnelSteps[key] !== undefined);
  const top = Number(d.funnelSteps[steps[0]?.[0]] ?? 0);
  const html = steps.map(([key, label], i) => {
    const users = Number(d.funnelSteps[key]);
    const before = i === 0 ? users : Number(d.funnelSteps[steps[i - 1][0]]);
    const share = i === 0 ? 1 : before === 0 ? 0 : users / before;
    const width = top === 0 ? 0 : (100 * users) / top;
    return `<li data-step="${key}" data-value="${users}" data-rate="${share}">` +
      `<span class="step-label">${escape(label)}</span>` +
      `<span class="step-bar"><span data-width="${width.toFixed(1)}"></span></span>` +
      `<span class="step-num">${format("int", users)}</span>` +
      `<span class="step-rate">${i === 0 ? "" : format("percent", share)}</span></li>`;
  }).join("");
  const list = $("#funnel-steps");
  if (list.dataset.html !== html) {
    list.innerHTML = html;
    list.dataset.html = html;
    // Widths set through the CSSOM: the CSP refuses style attributes in markup.
    for (const bar of list.querySelectorAll("[data-width]")) bar.style.width = `${bar.dataset.width}%`;
  }
}

/** Relative change of a count, or the change in points of a rate; null when there was nothing before. */
function change(now, before, isRate) {
  const [a, b] = [Number(now ?? 0), Number(before ?? 0)];
  if (isRate) return a - b;
  return b === 0 ? null : (a - b) / b;
}

function showDelta(el, value, isRate, worseUp = false) {
  el.dataset.value = value === null ? "" : String(value);
  el.classList.toggle("up", value !== null && value > 0);
  el.classList.toggle("down", value !== null && value < 0);
  el.classList.toggle("worse", value !== null && value !== 0 && (value > 0) === worseUp);
  const arrow = value === null || value === 0 ? "" : value > 0 ? "▲ " : "▼ ";
  const size = value === null
    ? "new"
    : isRate
    ? `${fmt.decimal.format(Math.abs(value) * 100)} pt`
    : format("percent", Math.abs(value));
  setText(el, `${arrow}${size} vs previous`);
}

function renderDeltas(d) {
  for (const el of document.querySelectorAll("[data-delta]")) {
    const key = el.dataset.delta.split(".")[1];
    const isRate = key.endsWith("_rate");
    showDelta(el, change(d.kpis[key], d.previous.kpis[key], isRate), isRate, el.dataset.worse === "up");
  }
  // Revenue: the main currency's (the range's biggest), against the same currency before.
  const main = d.revenueTotals[0];
  const el = $("#revenue-delta");
  if (!main) return setText(el, "");
  const before = d.previous.revenueTotals.find((r) => r.currency === main.currency);
  el.dataset.currency = main.currency;
  showDelta(el, change(main.revenue, before?.revenue, false), false);
}

// deno-lint-ignore no-unused-vars -- a global for dashboard.js, loaded after this file
function renderBreakdowns(d) {
  renderTopPages(d);
  renderDimension($("#sources"), d.sources, tabs.sources);
  renderDimension($("#devices"), d.devices, tabs.devices);
  renderDimension($("#countries"), d.countries, "country");
  renderSteps(d);
  renderDeltas(d);
  for (const [panel, tab] of Object.entries(tabs)) {
    for (const b of document.querySelectorAll(`[data-tabs="${panel}"] button`)) {
      b.setAttribute("aria-pressed", String(b.dataset.tab === tab));
    }
  }
}

// deno-lint-ignore no-unused-vars -- a global for dashboard.js, loaded after this file
function wireBreakdowns(rerender) {
  for (const b of document.querySelectorAll("[data-tabs] button")) {
    b.addEventListener("click", () => {
      tabs[b.parentElement.dataset.tabs] = b.dataset.tab;
      rerender();
    });
  }
  const pick = (event) => {
    const tr = event.target.closest("tr[data-filter]");
    if (!tr || (event.type === "keydown" && event.key !== "Enter")) return;
    const colon = tr.dataset.filter.indexOf(":");
    applyFilter(tr.dataset.filter.slice(0, colon), tr.dataset.filter.slice(colon + 1));
  };
  for (const table of document.querySelectorAll("table.breakdown")) {
    table.addEventListener("click", pick);
    table.addEventListener("keydown", pick);
  }
}
