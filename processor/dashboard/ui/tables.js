// The dashboard's tables and lists (top products, Kafka lag, revenue totals, consumers, alerts),
// rendered in place: a table's HTML is replaced only when it changed. Loaded before dashboard.js,
// whose helpers ($, format, setText, fmt) they use when called.
/* global $, fmt, format, clockText, setText (dashboard.js) */
"use strict";

function rows(tbody, items, cells) {
  const html = items.map((item) =>
    `<tr>${
      cells(item).map(([v, cls, metric]) =>
        `<td class="${cls || ""}"${
          metric ? ` data-metric="${metric}" data-value="${escape(v.raw ?? v)}"` : ""
        }>${escape(v.text ?? v)}</td>`
      ).join("")
    }</tr>`
  ).join("");
  if (tbody.dataset.html !== html) {
    tbody.innerHTML = html;
    tbody.dataset.html = html;
  }
}

function escape(value) {
  return String(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function num(value) {
  return { raw: value ?? 0, text: format("int", value ?? 0) };
}

// deno-lint-ignore no-unused-vars -- a global for dashboard.js, loaded after this file
function renderTables(d) {
  rows($("#top-products tbody"), d.topProducts, (p) => [
    [{ raw: p.product_id, text: p.name ? `${p.name} (${p.product_id})` : p.product_id }, "", "product_id"],
    [num(p.views), "num", "views"],
    [num(p.cart_adds), "num", "cart_adds"],
    [num(p.units), "num", "units"],
    [num(p.orders), "num", "orders"],
  ]);
  const partitions = d.kafka?.partitions ?? [];
  rows($("#lag tbody"), partitions, (p) => [
    [String(p.partition), "", "partition"],
    [num(p.end), "num", "end"],
    [num(p.committed), "num", "committed"],
    [num(p.lag), p.lag > 1000 ? "num lag-high" : "num", "lag"],
  ]);
  const totals = d.revenueTotals.map((r) =>
    `${r.currency} ${fmt.money.format(Number(r.revenue))} · ${
      fmt.int.format(Number(r.orders))
    } orders · AOV ${fmt.money.format(Number(r.aov))}`
  );
  const el = $("#revenue-totals");
  setText(el, totals.length ? totals.join("\n") : "no orders");
  el.dataset.value = JSON.stringify(d.revenueTotals);
  const consumers = d.consumers.filter((c) => c.table).map((c) =>
    `${c.table}: ${c.is_currently_used ? "consuming" : "idle"} partitions [${c.partitions.join(",")}], ` +
    `${fmt.int.format(Number(c.num_messages_read))} read` +
    (c.last_error ? ` · last error: ${c.last_error}` : "")
  );
  setText($("#consumers"), (d.kafka?.error ? `broker: ${d.kafka.error} · ` : "") + consumers.join(" · "));
}

// deno-lint-ignore no-unused-vars -- a global for dashboard.js, loaded after this file
function renderAlerts(d) {
  const view = d.alerts;
  if (!view) return setText($("#alerts-evaluated"), "alerts are off");
  setText(
    $("#alerts-evaluated"),
    view.evaluatedAt ? `evaluated ${format("age", view.evaluatedAt)}` : "not evaluated yet",
  );
  const item = (a) =>
    `<li class="${a.status}" data-alert="${escape(a.alert_id)}" data-status="${a.status}">` +
    `${escape(clockText(a.at, true))} ${escape(a.message)}</li>`;
  const broken = view.rules.filter((r) => r.error).map((r) =>
    `<li class="firing">${escape(r.id)} not evaluated: ${escape(r.error)}</li>`
  );
  const firing = view.firing.map(item).join("") + broken.join("") || '<li class="muted">nothing firing</li>';
  const recent = view.recent.map(item).join("") || '<li class="muted">no transitions yet</li>';
  for (const [sel, html] of [["#alerts-firing", firing], ["#alerts-recent", recent]]) {
    const el = $(sel);
    if (el.dataset.html !== html) {
      el.innerHTML = html;
      el.dataset.html = html;
    }
  }
}
