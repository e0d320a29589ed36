// inlineParams as text: each placeholder a typed literal, quotes and backslashes escaped, values that
// are no string or number left to the binding. (Answers against the engine: embedded_engine_test.ts.)
import { strictEqual, throws } from "node:assert/strict";
import { identifier, inlineParams, stringLiteral } from "./inline_params.ts";

Deno.test("inlineParams casts each value to its placeholder's type", () => {
  strictEqual(
    inlineParams("SELECT {site:String}, {from:DateTime('UTC')}, {n:UInt32} -- {site:String}", {
      site: "shop",
      from: "2026-01-01 00:00:00",
      n: 5,
    }),
    "SELECT CAST('shop' AS String), CAST('2026-01-01 00:00:00' AS DateTime('UTC')), CAST('5' AS UInt32) " +
      "-- CAST('shop' AS String)",
  );
});

Deno.test("stringLiteral escapes what could end the literal or hide in it", () => {
  strictEqual(stringLiteral("it's \\' OR 1=1 --"), "'it\\'s \\\\\\' OR 1=1 --'");
  strictEqual(stringLiteral("a\tb\nc\0"), "'a\\tb\\nc\\0'");
});

Deno.test("inlineParams leaves arrays to the binding and an unknown placeholder to the engine", () => {
  strictEqual(inlineParams("SELECT {dims:Array(String)}", { dims: ["a"] }), undefined);
  strictEqual(inlineParams("SELECT {other:String}", { site: "x" }), "SELECT {other:String}");
});

Deno.test("inlineParams writes an Identifier as the back-quoted name and refuses anything but a plain name", () => {
  strictEqual(
    inlineParams("SELECT {grain:Identifier} FROM {revenue_table:Identifier}", {
      grain: "minute",
      revenue_table: "revenue_minutes",
    }),
    "SELECT `minute` FROM `revenue_minutes`",
  );
  for (const name of ["a`b", "x; DROP TABLE y", "db.t", "", "1a", "a b"]) {
    throws(() => identifier(name), /must be a plain name/);
    throws(() => inlineParams("SELECT 1 FROM {t:Identifier}", { t: name }), /must be a plain name/);
  }
});
