import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { chDateTime64, fillPlaceholders, sqlString, windowSettings } from "./window_scope.ts";

Deno.test("sqlString escapes quotes and backslashes, so a site name cannot end the literal", () => {
  assertEquals(sqlString("it's"), "'it\\'s'");
  assertEquals(sqlString("a\\' OR 1 --"), "'a\\\\\\' OR 1 --'");
});

Deno.test("fillPlaceholders writes numbers bare and strings quoted, and refuses a missing value", () => {
  assertEquals(
    fillPlaceholders("site = {site:String} AND n = {n:UInt8} AND t >= {t:DateTime64(3, 'UTC')}", {
      site: "x'y",
      n: 1,
      t: "2026-12-03 10:00:00.000",
    }),
    "site = 'x\\'y' AND n = 1 AND t >= '2026-12-03 10:00:00.000'",
  );
  throws(() => fillPlaceholders("{missing:String}", {}), /no value for \{missing\}/);
});

Deno.test("windowSettings: one additional_table_filters entry for counted_events, with the window's values", () => {
  const from = Date.parse("2026-12-03T10:00:00.250Z");
  const settings = windowSettings({ site: "shop", from, to: from + 60_000, withSessions: true });
  assertEquals(Object.keys(settings), ["additional_table_filters"]);
  const value = settings.additional_table_filters;
  assertEquals(value.startsWith("{'counted_events': '"), true);
  for (
    const text of [
      "\\'shop\\'",
      "\\'2026-12-03 10:00:00.250\\'",
      "\\'2026-12-03 10:01:00.250\\'",
      "(1 = 1 AND session_id IN",
    ]
  ) {
    assertEquals(value.includes(text), true, `${text} in ${value}`);
  }
  assertEquals(value.includes("--"), false, "no comment lines in the setting");
  throws(() => windowSettings({ from, to: from }), /must be before/);
});

Deno.test("chDateTime64 keeps milliseconds, in UTC", () => {
  assertEquals(chDateTime64(Date.parse("2026-01-02T03:04:05.678Z")), "2026-01-02 03:04:05.678");
});
