// Attacks on the read-only SQL endpoint of a real processor, with the SQL password in hand: every
// statement below is refused with its status and ClickHouse code, and none of them leaves a file
// behind (before the guard, `SELECT file(...)` read any file and INTO OUTFILE wrote one).
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { join } from "node:path";
import { startTestPipeline, type TestPipeline } from "../stack/testing.ts";

/** A name no file has yet: every path an attack writes to carries it, so a leftover is found anywhere. */
const TAG = `shoptrail-hostile-${crypto.randomUUID().slice(0, 8)}`;
const HOSTNAME = "/etc/hostname";

type Case = { sql: string; status: number; code: number; params?: Record<string, string> };
const readonly = (sql: string): Case => ({ sql, status: 403, code: 164 });
const denied = (sql: string, params?: Record<string, string>): Case => ({
  sql,
  status: 403,
  code: 497,
  params,
});

/** `out` is a path in the test's own folder, with TAG in its name. */
function cases(out: (name: string) => string): Case[] {
  return [
    // Table functions that reach files, URLs, other servers, programs, dictionaries, other tables.
    readonly(`SELECT * FROM file('${HOSTNAME}', 'LineAsString')`),
    readonly("SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')"),
    readonly("SELECT * FROM s3('http://127.0.0.1:1/bucket/key.csv', 'CSV')"),
    readonly("SELECT * FROM remote('127.0.0.1:9000', system.one)"),
    readonly("SELECT * FROM remoteSecure('127.0.0.1:9440', default.events)"),
    readonly("SELECT * FROM cluster('default', system.one)"),
    readonly("SELECT * FROM executable('id', 'LineAsString', 'x String')"),
    readonly("SELECT * FROM input('x String')"),
    readonly("SELECT * FROM mysql('127.0.0.1:3306', 'db', 't', 'user', 'pass')"),
    readonly("SELECT * FROM postgresql('127.0.0.1:5432', 'db', 't', 'user', 'pass')"),
    readonly("SELECT * FROM odbc('DSN=x', 't')"),
    readonly("SELECT * FROM jdbc('jdbc:mysql://127.0.0.1/db', 't')"),
    readonly("SELECT * FROM hdfs('hdfs://127.0.0.1:9000/x', 'CSV')"),
    readonly("SELECT * FROM azureBlobStorage('http://127.0.0.1:1', 'container', 'blob')"),
    readonly("SELECT * FROM iceberg('http://127.0.0.1:1/table')"),
    readonly("SELECT * FROM deltaLake('http://127.0.0.1:1/table')"),
    readonly(`SELECT * FROM sqlite('${out("db.sqlite")}', 't')`),
    readonly("SELECT * FROM redis('127.0.0.1:6379', 'k', 'k String')"),
    readonly("SELECT * FROM dictionary('d')"),
    readonly("SELECT * FROM merge('system', '^users$')"),
    readonly(`SELECT * FROM fileCluster('default', '${HOSTNAME}')`),
    // Scalar functions that read files, dictionaries, models, server settings; odd case and spacing.
    readonly(`SELECT file('${HOSTNAME}')`),
    readonly(`SeLeCt/**/FiLe('${HOSTNAME}')`),
    readonly(`select\n\t\`file\`  (\n'${HOSTNAME}'\n) -- a comment\n`),
    readonly("SELECT dictGet('d', 'a', toUInt64(1))"),
    readonly("SELECT dictHas('d', toUInt64(1))"),
    readonly("SELECT catboostEvaluate('/tmp/model.bin', 1)"),
    readonly("SELECT getServerSetting('user_files_path')"),
    // INTO OUTFILE in every form.
    readonly(`SELECT 'x' INTO OUTFILE '${out("plain")}'`),
    readonly(`SELECT 'x' INTO OUTFILE '${out("truncate")}' TRUNCATE`),
    readonly(`SELECT 'x' INTO OUTFILE '${out("append")}' APPEND`),
    readonly(`SELECT 'x' INTO OUTFILE '${out("gzip.gz")}' COMPRESSION 'gzip'`),
    readonly(`SELECT 'x' INTO OUTFILE '${out("zstd.zst")}' COMPRESSION 'zstd' LEVEL 3`),
    readonly(`SELECT 'x' INTO OUTFILE '${TAG}-relative' FORMAT CSV`),
    readonly(`SELECT 'x' INTO OUTFILE '${out("stdout")}' AND STDOUT`),
    readonly(`EXPLAIN SELECT 1 INTO OUTFILE '${out("explain")}'`),
    readonly(`sElEcT\n'x'\n--\nINTO   OUTFILE\n'${out("odd-case")}'`),
    // Settings: SET, a SETTINGS clause, one hidden in a subquery.
    readonly("SET readonly = 0"),
    readonly("SET allow_ddl = 1"),
    readonly("SELECT 1 SETTINGS readonly = 0"),
    readonly("SELECT * FROM (SELECT 1 SETTINGS max_threads = 64)"),
    // Writes, DDL and the other statements.
    readonly("DROP TABLE events"),
    readonly("INSERT INTO events (event_id) VALUES ('x')"),
    readonly(`INSERT INTO FUNCTION file('${out("insert")}', 'CSV', 'a String') VALUES ('x')`),
    readonly("ALTER TABLE events DELETE WHERE 1"),
    readonly("OPTIMIZE TABLE events FINAL"),
    readonly(`CREATE TABLE t (a UInt8) ENGINE = File(TSV, '${out("engine")}')`),
    readonly(
      `CREATE DICTIONARY d (a UInt64) PRIMARY KEY a SOURCE(FILE(path '${HOSTNAME}' format 'TSV')) ` +
        "LAYOUT(FLAT()) LIFETIME(0)",
    ),
    readonly("CREATE FUNCTION f AS () -> 1"),
    readonly(`BACKUP TABLE events TO File('${out("backup")}')`),
    readonly("KILL QUERY WHERE 1"),
    readonly("USE system"),
    readonly("SYSTEM FLUSH LOGS"),
    readonly("SHOW USERS"),
    readonly("SHOW GRANTS"),
    // Several statements in one request: the engine's "Multi-statements are not allowed".
    { sql: "SELECT 1; DROP TABLE events", status: 400, code: 62 },
    { sql: `SELECT 1;\nSELECT 'x' INTO OUTFILE '${out("second")}'`, status: 400, code: 62 },
    // System tables that hold secrets, access or server settings.
    denied("SELECT * FROM system.users"),
    denied("SELECT * FROM system.grants"),
    denied("SELECT * FROM system.named_collections"),
    denied("SELECT * FROM system.server_settings"),
    denied("SELECT * FROM system.settings_profile_elements"),
    denied("SELECT query FROM system.processes"),
    denied("SHOW CREATE TABLE system.users"),
    denied("DESCRIBE TABLE system.quotas"),
    denied("SELECT count() FROM events WHERE site IN (SELECT name FROM system.users)"),
    // param_ values used as identifiers: checked as the names they become.
    denied("SELECT * FROM {t:Identifier}", { t: "system.users" }),
    denied("SELECT * FROM {db:Identifier}.{t:Identifier}", { db: "system", t: "roles" }),
    { sql: "SELECT * FROM {t:Identifier}", params: { t: `file('${HOSTNAME}')` }, status: 404, code: 60 },
    // Functions hidden by CTEs, subqueries, lambdas, aliases, views, joins, unions and EXPLAIN.
    readonly(`WITH f AS (SELECT * FROM file('${HOSTNAME}', 'LineAsString')) SELECT * FROM f`),
    readonly(`SELECT * FROM (SELECT file('${HOSTNAME}'))`),
    readonly(`SELECT arrayMap(x -> file(x), ['${HOSTNAME}'])`),
    readonly(`WITH x -> file(x) AS f SELECT f('${HOSTNAME}')`),
    readonly(`SELECT (SELECT file('${HOSTNAME}')) AS innocent`),
    readonly("SELECT * FROM view(SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString'))"),
    readonly(`SELECT * FROM numbers(1) AS a JOIN file('${HOSTNAME}', 'LineAsString') AS b ON 1`),
    readonly(`SELECT 'a' UNION ALL SELECT file('${HOSTNAME}')`),
    readonly(`EXPLAIN PIPELINE SELECT * FROM file('${HOSTNAME}', 'LineAsString')`),
    readonly(`DESCRIBE TABLE file('${HOSTNAME}', 'LineAsString')`),
  ];
}

async function post(p: TestPipeline, { sql, params = {} }: Case) {
  const url = new URL(p.sql.url);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(`param_${name}`, value);
  const response = await fetch(url, {
    method: "POST",
    body: sql,
    headers: { "X-ClickHouse-User": p.sql.user, "X-ClickHouse-Key": p.sql.password },
  });
  return {
    status: response.status,
    code: response.headers.get("X-ClickHouse-Exception-Code"),
    text: await response.text(),
  };
}

/** Paths under `dir` (all depths) whose name has TAG in it. */
async function tagged(dir: string, depth = 8): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.name.includes(TAG)) found.push(path);
    if (entry.isDirectory && depth > 0) found.push(...await tagged(path, depth - 1));
  }
  return found;
}

Deno.test("the SQL endpoint refuses hostile SQL and writes no file", async (t) => {
  const p = await startTestPipeline();
  const outDir = await Deno.makeTempDir({ prefix: "shoptrail-hostile-out-" });
  try {
    const table = cases((name) => join(outDir, `${TAG}-${name}`));
    for (const c of table) {
      await t.step(`${c.status} ${c.code}: ${c.sql.replaceAll(/\s+/g, " ")}`, async () => {
        const r = await post(p, c);
        assertEquals([r.status, r.code], [c.status, String(c.code)], r.text);
        match(r.text, new RegExp(`^Code: ${c.code}\\. DB::Exception: `));
        // A refusal says what it refused, not just that something failed.
        match(r.text, /not allowed|readonly mode|Not enough privileges|Multi-statements|Unknown table/);
      });
    }

    await t.step(`no file was created (${table.length} statements)`, async () => {
      assertEquals(table.length >= 40, true);
      assertEquals([...Deno.readDirSync(outDir)], []);
      const leftovers = [
        ...await tagged(p.dataRoot),
        ...await tagged(Deno.cwd(), 0),
        ...await tagged(outDir),
        ...await tagged("/tmp", 0),
      ];
      assertEquals(leftovers, []);
    });

    await t.step("legitimate reads still answer", async () => {
      const legit: [string, Record<string, string>?][] = [
        ["SELECT count() FROM events"],
        ["SHOW TABLES"],
        ["DESCRIBE TABLE events"],
        ["SHOW CREATE TABLE funnel_1m"],
        ["SELECT table, consumer_id FROM system.kafka_consumers"],
        ["EXPLAIN SELECT * FROM numbers(3)"],
        ["SELECT count() FROM {t:Identifier}", { t: "events" }],
        ["WITH f AS (SELECT number FROM numbers(3)) SELECT arrayMap(x -> x * 2, groupArray(number)) FROM f"],
      ];
      for (const [sql, params] of legit) {
        const r = await post(p, { sql, params, status: 200, code: 0 });
        assertEquals(r.status, 200, `${sql}: ${r.text}`);
      }
    });
  } finally {
    await p.stop();
    await Deno.remove(outDir, { recursive: true });
  }
});
