import { deepStrictEqual as assertEquals, rejects, throws } from "node:assert/strict";
import type { Engine } from "./engine/engine.ts";
import {
  migrate,
  OldSchemaError,
  readSqlFiles,
  SINGLE_NODE,
  splitStatements,
  substitute,
} from "./migrate.ts";

/** Records statements and answers schema_migrations reads from what it recorded. */
class RecordingEngine implements Pick<Engine, "command" | "rows"> {
  readonly statements: string[] = [];
  applied: { name: string; checksum: string }[] = [];

  command(sql: string): Promise<void> {
    this.statements.push(sql);
    const insert = sql.match(
      /INSERT INTO schema_migrations \(name, checksum\) VALUES \('([^']+)', '([^']+)'\)/,
    );
    if (insert) this.applied.push({ name: insert[1], checksum: insert[2] });
    return Promise.resolve();
  }
  rows<T>(): Promise<T[]> {
    return Promise.resolve(this.applied as T[]);
  }
}

const files = [
  { name: "001_a.sql", sql: "-- first\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n", checksum: "c1" },
  {
    name: "002_b.sql",
    sql: "CREATE TABLE b (x UInt8) ENGINE = Memory;\nCREATE VIEW v AS SELECT 1;",
    checksum: "c2",
  },
];

Deno.test("splitStatements() splits at line-ending semicolons and drops comment-only pieces", () => {
  assertEquals(splitStatements("-- note\nSELECT 1;\n\nSELECT ';' AS s;\n-- trailing comment\n"), [
    "-- note\nSELECT 1",
    "SELECT ';' AS s",
  ]);
});

Deno.test("substitute() fills known placeholders and names an unknown one", () => {
  assertEquals(substitute("topic = '${EVENTS_TOPIC}'", { EVENTS_TOPIC: "t" }), "topic = 't'");
  throws(
    () => substitute("${NOPE}", { EVENTS_TOPIC: "t" }, "009_x.sql"),
    /009_x\.sql uses \$\{NOPE\}.*EVENTS_TOPIC/,
  );
});

Deno.test("migrate() applies each file once, in order, and skips it the second time", async () => {
  const engine = new RecordingEngine();
  assertEquals(await migrate(engine, { values: {}, files }), {
    applied: ["001_a.sql", "002_b.sql"],
    skipped: [],
  });
  const ddl = engine.statements.filter((s) => /^(-- first\n)?CREATE (TABLE|VIEW) [abv] /.test(s));
  assertEquals(ddl.length, 3);
  assertEquals(await migrate(engine, { values: {}, files }), {
    applied: [],
    skipped: ["001_a.sql", "002_b.sql"],
  });
});

Deno.test("migrate() refuses a file that changed after it was applied", async () => {
  const engine = new RecordingEngine();
  await migrate(engine, { values: {}, files });
  const edited = [files[0], { ...files[1], checksum: "changed" }];
  await rejects(migrate(engine, { values: {}, files: edited }), /002_b\.sql changed after it was applied/);
});

Deno.test("clickhouse/ holds uniquely numbered files, and every placeholder they use is provided", async () => {
  const { processorConfig } = await import("./config.ts");
  const values = processorConfig(() => undefined).sqlValues;
  const sqlFiles = await readSqlFiles();
  const numbers = sqlFiles.map((f) => f.name.slice(0, 3));
  assertEquals(new Set(numbers).size, numbers.length);
  for (const file of sqlFiles) substitute(file.sql, { ...SINGLE_NODE, ...values }, file.name);
});

Deno.test("migrate() refuses a data folder that recorded a file clickhouse/ no longer has, applying nothing", async () => {
  const engine = new RecordingEngine();
  engine.applied = [{ name: "028_kafka_events_lines.sql", checksum: "old" }];
  await rejects(
    migrate(engine, { values: {}, files }),
    (e) =>
      e instanceof OldSchemaError &&
      /028_kafka_events_lines\.sql.*deno task down && rm -rf \.data/.test(e.message),
  );
  assertEquals(
    engine.statements.filter((s) => !s.startsWith("CREATE TABLE IF NOT EXISTS schema_migrations")),
    [],
  );
});

Deno.test("migrate() runs beforeConsuming once, before the first Kafka table, or after the files when none is made", async () => {
  const kafka = [
    ...files,
    {
      name: "003_k.sql",
      sql: "CREATE TABLE k (x UInt8) ENGINE = Kafka SETTINGS kafka_broker_list = 'b'",
      checksum: "c3",
    },
  ];
  const engine = new RecordingEngine();
  const marks: number[] = [];
  const beforeConsuming = () => (marks.push(engine.statements.length), Promise.resolve());
  await migrate(engine, { values: {}, files: kafka, beforeConsuming });
  assertEquals(marks.length, 1);
  assertEquals(
    engine.statements[marks[0]].includes("ENGINE = Kafka"),
    true,
    "the Kafka table comes after it",
  );
  await migrate(engine, { values: {}, files: kafka, beforeConsuming });
  assertEquals(marks.length, 2);
  assertEquals(marks[1], engine.statements.length, "on a restart, after everything");
});
