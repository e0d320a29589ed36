// A data folder made by the SQL history that the baseline replaced: the processor stops at start
// with one log line that says what to do, and applies nothing.
import { ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { EmbeddedEngine } from "./engine/embedded_engine.ts";
import { WIPE_COMMAND } from "./migrate.ts";
import { freePortRange } from "../lib/ports.ts";
import { inOwnProcess } from "../lib/own_process.ts";

const NAME = "the processor refuses a data folder of the old SQL history and says how to wipe it";
// It opens an embedded engine to write the old row (lib/own_process.ts).
if (inOwnProcess(import.meta.url, NAME)) {
  Deno.test(NAME, async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "shoptrail-old-schema-" });
    try {
      const engine = new EmbeddedEngine(dataDir);
      await engine.command(`CREATE TABLE schema_migrations (
        name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
      ) ENGINE = MergeTree ORDER BY name`);
      await engine.command(
        "INSERT INTO schema_migrations (name, checksum) VALUES ('028_kafka_events_lines.sql', 'c0ffee')",
      );
      await engine.close();
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", fileURLToPath(new URL("./main.ts", import.meta.url))],
        env: {
          CLICKHOUSE_DATA_DIR: dataDir,
          PROCESSOR_PORT: String(freePortRange(1)),
          SQL_PASSWORD: "test-password",
          KAFKA_BROKERS: "127.0.0.1:1",
          NO_COLOR: "1",
        },
        stdout: "piped",
        stderr: "piped",
        // A processor that accepted the folder would serve until stopped: end it so the test fails
        // with its output instead of hanging (a bound, not a timing assertion).
        signal: AbortSignal.timeout(60_000),
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      ok(out.code === 1, `exit code ${out.code}:\n${text}`);
      ok(text.includes("028_kafka_events_lines.sql"), text);
      ok(text.includes(WIPE_COMMAND), text);
      ok(!/\n\s+at /.test(text), `no stack trace:\n${text}`);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  });
}
