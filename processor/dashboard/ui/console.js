// The SQL console: the editor's statement goes to /dashboard/api/sql (the processor's SQL endpoint,
// on the engine's read-only session) with {name:Type} parameters from the inputs; the answer is
// ClickHouse's JSON format, shown as a table with the engine's timing. History stays in this
// browser (localStorage).
/* global api, toCsv, downloadCsv (csv.js) */
"use strict";

const MAX_SHOWN = 1000;
const HISTORY_KEY = "shoptrail.sql.history";
const $ = (sel) => document.querySelector(sel);
const editor = $("#sql");

function escape(value) {
  return String(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function cell(value) {
  return value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** {name:Type} placeholders in the SQL, each with an input that keeps its value across edits. */
function syncParams() {
  const names = [
    ...new Set([...editor.value.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\s*:[^}]+\}/g)].map((m) => m[1])),
  ];
  const box = $("#params");
  const old = Object.fromEntries([...box.querySelectorAll("input")].map((i) => [i.name, i.value]));
  if (box.dataset.names === names.join(",")) return;
  box.dataset.names = names.join(",");
  box.innerHTML = names.map((n) =>
    `<label class="field">${escape(n)} <input name="${escape(n)}" value="${
      escape(old[n] ?? defaultParam(n))
    }"></label>`
  ).join("");
}

function defaultParam(name) {
  const now = Date.now();
  const iso = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace("T", " ");
  if (name === "to") return iso(now);
  if (name === "from") return iso(now - 3600_000);
  if (name === "site") return "demo";
  return "";
}

function history() {
  try {
    return JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
  } catch {
    return [];
  }
}

function remember(entry) {
  const list = [entry, ...history().filter((h) => h.sql !== entry.sql)].slice(0, 50);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(list));
  showHistory();
}

function showHistory() {
  const list = history();
  $("#history").innerHTML =
    list.map((h, i) =>
      `<li data-i="${i}" class="${h.ok ? "" : "failed"}" title="${escape(h.sql)}">${
        escape(h.sql.slice(0, 90))
      }` +
      `<br><span class="muted">${escape(h.note)}</span></li>`
    ).join("") || '<li class="muted">queries you run appear here</li>';
}

async function run() {
  const sql = editor.value.trim();
  if (!sql) return;
  const query = new URLSearchParams();
  for (const input of $("#params").querySelectorAll("input")) query.set(`param_${input.name}`, input.value);
  $("#run").disabled = true;
  setStatus("running…");
  const started = performance.now();
  try {
    const response = await api(`/dashboard/api/sql?${query}`, { method: "POST", body: sql });
    const text = await response.text();
    const roundTrip = Math.round(performance.now() - started);
    if (!response.ok) {
      const code = response.headers.get("X-ClickHouse-Exception-Code");
      showError(`${code ? `Code ${code}: ` : ""}${text.trim()}`);
      setStatus(`failed after ${roundTrip} ms`);
      remember({ sql, ok: false, note: `error ${code ?? response.status}` });
      return;
    }
    const result = text.trim() === "" ? { meta: [], data: [], rows: 0 } : JSON.parse(text);
    showTable(result);
    const engineMs = result.statistics ? (result.statistics.elapsed * 1000).toFixed(1) : "?";
    const note = `${result.rows} rows · engine ${engineMs} ms · round trip ${roundTrip} ms` +
      (result.statistics ? ` · ${result.statistics.rows_read} rows read` : "") +
      (result.rows > MAX_SHOWN ? ` · first ${MAX_SHOWN} shown` : "");
    setStatus(note);
    remember({ sql, ok: true, note });
  } catch (error) {
    showError(error.message);
    setStatus("");
  } finally {
    $("#run").disabled = false;
  }
}

function setStatus(text) {
  $("#timing").textContent = text;
}

function showError(message) {
  lastResult = undefined;
  $("#csv").disabled = true;
  const box = $("#error");
  box.textContent = message;
  box.hidden = false;
  $("#results thead").innerHTML = "";
  $("#results tbody").innerHTML = "";
}

/** The last result, every row the engine returned (not only those shown), for the CSV export. */
let lastResult;

function showTable({ meta, data }) {
  lastResult = { meta, data };
  $("#csv").disabled = meta.length === 0;
  $("#error").hidden = true;
  $("#results thead").innerHTML = `<tr>${
    meta.map((m) =>
      `<th title="${escape(m.type)}">${escape(m.name)}<br><span class="muted">${escape(m.type)}</span></th>`
    ).join("")
  }</tr>`;
  $("#results tbody").innerHTML = data.slice(0, MAX_SHOWN).map((row) =>
    `<tr>${meta.map((m) => `<td>${escape(cell(row[m.name]))}</td>`).join("")}</tr>`
  ).join("");
}

async function loadExamples() {
  const response = await api("/dashboard/api/queries");
  if (!response.ok) return;
  const queries = await response.json();
  const select = $("#examples");
  for (const name of Object.keys(queries)) select.add(new Option(`${name}.sql`, name));
  select.addEventListener("change", () => {
    if (!select.value) return;
    editor.value = queries[select.value].trim();
    select.value = "";
    syncParams();
  });
}

$("#history").addEventListener("click", (e) => {
  const li = e.target.closest("li[data-i]");
  if (!li) return;
  editor.value = history()[Number(li.dataset.i)].sql;
  syncParams();
  editor.focus();
});
editor.addEventListener("input", syncParams);
editor.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    run();
  }
});
$("#run").addEventListener("click", run);
syncParams();
showHistory();
loadExamples();
$("#csv").addEventListener("click", () => {
  if (!lastResult) return;
  const columns = lastResult.meta.map((m) => m.name);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[^0-9]/g, "");
  downloadCsv(`shoptrail-query-${stamp}.csv`, toCsv(lastResult.data, columns));
});
