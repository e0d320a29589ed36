// The dashboard's CSV export (ui/csv.js): quoting, and cells that a spreadsheet would run as formulas.
import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import "./csv.js";

const { toCsv } = globalThis as unknown as { toCsv: (rows: object[], columns?: string[]) => string };

Deno.test("toCsv() quotes commas, quotes and line breaks, and keeps numbers and maps readable", () => {
  const csv = toCsv([
    { page: "/a,b", title: 'say "hi"', note: "two\nlines", visitors: 3, revenue: { EUR: 10.5 } },
    { page: "/plain", title: "", note: null, visitors: 0, revenue: {} },
  ]);
  strictEqual(
    csv,
    'page,title,note,visitors,revenue\r\n"/a,b","say ""hi""","two\nlines",3,"{""EUR"":10.5}"\r\n' +
      "/plain,,,0,{}\r\n",
  );
});

Deno.test("toCsv() neutralises cells that start a formula (= + - @, tab, carriage return)", () => {
  const attacks = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
  ];
  const csv = toCsv(attacks.map((value) => ({ value })));
  const cells = csv.split("\r\n").slice(1, -1);
  assertEquals(cells, [
    '"\'=HYPERLINK(""http://evil.example"",""x"")"',
    "'+1+cmd|' /C calc'!A0",
    "'-2+3",
    "'@SUM(A1:A9)",
    "'\t=1",
    '"\'\r=1"',
  ]);
  // A negative number stays a number, also as ClickHouse's text for a 64-bit integer.
  strictEqual(toCsv([{ change: -0.25, open: "-3" }]), "change,open\r\n-0.25,-3\r\n");
});

Deno.test("toCsv() takes the columns it is given, in that order, and writes a header for no rows", () => {
  strictEqual(toCsv([{ a: 1, b: 2 }], ["b", "a"]), "b,a\r\n2,1\r\n");
  strictEqual(toCsv([], ["a"]), "a\r\n");
});
