import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { EngineBase, type QueryResult } from "./engine/engine.ts";
import { eraseShopper } from "./erase.ts";

/** Answers system.tables with the given views and records every other statement. */
class ViewsEngine extends EngineBase {
  readonly kind = "embedded";
  readonly statements: string[] = [];
  constructor(readonly views: string[]) {
    super();
  }
  command(sql: string): Promise<void> {
    this.statements.push(sql);
    return Promise.resolve();
  }
  writeOwn(sql: string): Promise<void> {
    return this.command(sql);
  }
  query(sql: string): Promise<QueryResult> {
    const rows = sql.includes("'MaterializedView'") ? this.views.map((name) => JSON.stringify({ name })) : [];
    if (rows.length === 0) this.statements.push(sql);
    return Promise.resolve({ text: rows.join("\n"), elapsedMs: 0, rowsRead: 0 });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test("eraseShopper() refuses, touching nothing, while a view exists that erase.sql was not written for", async () => {
  const engine = new ViewsEngine(["funnel_minutes_mv", "new_rollup_mv"]);
  await rejects(
    eraseShopper(engine, { site: "demo", user: "u1" }),
    /erase\.sql was not written for new_rollup_mv: .* REVIEWED_VIEWS/,
  );
  assertEquals(engine.statements, []);
});

Deno.test("eraseShopper() refuses a request without a valid site or shopper", async () => {
  await rejects(eraseShopper(new ViewsEngine([]), { site: "Demo!", user: "u1" }), /'site' must be a site id/);
  await rejects(eraseShopper(new ViewsEngine([]), { site: "demo", user: "" }), /'user' must be/);
});
