// The embedded ClickHouse engine (chdb) in a child process, for checks that only parse or ask
// the engine's version. chdb allows one engine per process and the test process may hold one
// (or start one later), so the topology tests never load chdb themselves.
import { fileURLToPath } from "node:url";

export type EngineAnswer = { ok: true; text: string } | { ok: false; error: string };

/** Runs each statement on a stateless engine in a child process; one answer per statement. */
export async function askEngine(statements: string[]): Promise<EngineAnswer[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fileURLToPath(import.meta.url)],
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(statements)));
  await writer.close();
  const out = await child.output();
  if (!out.success) {
    throw new Error(`chdb child process failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** `formatQuery` of each statement: the engine's parser, nothing executed. */
export async function parseWithEngine(statements: string[]): Promise<EngineAnswer[]> {
  const literal = (s: string) => `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  return await askEngine(statements.map((s) => `SELECT formatQuery(${literal(s)})`));
}

if (import.meta.main) {
  const { query } = await import("chdb");
  const statements: string[] = JSON.parse(await new Response(Deno.stdin.readable).text());
  const answers: EngineAnswer[] = statements.map((sql) => {
    try {
      return { ok: true, text: query(sql, "TSVRaw").trimEnd() };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  });
  console.log(JSON.stringify(answers));
}
