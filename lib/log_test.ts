import { deepStrictEqual as assertEquals, match, throws } from "node:assert/strict";
import { createLogger, logFormatFromEnv, type LogLevel } from "./log.ts";

function capture(format: "json" | "text") {
  const lines: [string, LogLevel][] = [];
  const log = createLogger("collector", {
    format,
    clock: () => Date.UTC(2026, 11, 7, 12),
    write: (l, v) => lines.push([l, v]),
  });
  return { log, lines };
}

Deno.test("createLogger() writes one JSON object per line with time, level, component, message and fields", () => {
  const { log, lines } = capture("json");
  log.warn("Kafka produce failed", { failed: { messages: 2, records: 7 }, error: "timeout\nafter 3 s" });
  assertEquals(lines.length, 1);
  const [line, level] = lines[0];
  assertEquals(level, "warn");
  assertEquals(line.includes("\n"), false, "a message with a newline stays on one line");
  assertEquals(JSON.parse(line), {
    time: "2026-12-07T12:00:00.000Z",
    level: "warn",
    component: "collector",
    message: "Kafka produce failed",
    failed: { messages: 2, records: 7 },
    error: "timeout\nafter 3 s",
  });
});

Deno.test("createLogger() renders an Error field with its message and stack, not as {}", () => {
  const { log, lines } = capture("json");
  log.error("unexpected error", { error: new TypeError("boom") });
  const entry = JSON.parse(lines[0][0]);
  assertEquals([entry.error.name, entry.error.message], ["TypeError", "boom"]);
  match(entry.error.stack, /TypeError: boom/);
});

Deno.test("createLogger() writes a readable line for a terminal", () => {
  const { log, lines } = capture("text");
  log.info("listening", { url: "http://127.0.0.1:8080", spool: { batches: 3 } });
  assertEquals(lines[0], [
    '2026-12-07T12:00:00.000Z INFO  collector: listening url=http://127.0.0.1:8080 spool={"batches":3}',
    "info",
  ]);
});

Deno.test("logFormatFromEnv() follows LOG_FORMAT, else text on a terminal and JSON elsewhere", () => {
  assertEquals(
    [logFormatFromEnv("json", true), logFormatFromEnv("text", false), logFormatFromEnv(undefined, true)],
    ["json", "text", "text"],
  );
  assertEquals([logFormatFromEnv(undefined, false), logFormatFromEnv("", false)], ["json", "json"]);
  throws(() => logFormatFromEnv("yaml", false), /LOG_FORMAT="yaml" is not valid: expected json or text/);
});
