// CSV of a panel's rows or a console result (RFC 4180: comma-separated, CRLF line ends, a field with a
// comma, quote or line break quoted and its quotes doubled), downloaded as a file. Page paths, UTM tags
// and product names come from shoppers' browsers: a cell that a spreadsheet would read as a formula
// (it starts with = + - @, or a tab or carriage return before one) gets a leading apostrophe, so opening
// the file runs nothing (OWASP "CSV injection"). Numbers (and numbers sent as text) are written as they are, maps and arrays as JSON.
"use strict";

const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain number as text (ClickHouse sends 64-bit integers as strings): nothing a spreadsheet runs. */
const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

function csvCell(value) {
  if (value === null || value === undefined) return "";
  let text = typeof value === "object" ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text) && !NUMBER.test(text)) text = "'" + text;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows of objects (columns in the first row's order, or `columns`) as CSV text with a header line. */
function toCsv(rows, columns = Object.keys(rows[0] ?? {})) {
  const lines = [columns.map(csvCell).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** Offers the text as a file download (a blob URL: the CSP's default-src 'self' does not apply to it). */
function downloadCsv(name, text) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

// For the pages (globals, no build step) and for csv_test.ts.
Object.assign(globalThis, { toCsv, downloadCsv });
