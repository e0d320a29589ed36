// Several read statements as one: each statement's rows as JSON text beside its index and row
// number, under UNION ALL. chdb spends ~1 ms of CPU on any query before its own work (session,
// parse, format: loadtest/RESULTS.md, "the per-query floor"), and a dashboard refresh runs ~17
// small ones; composed, it pays that once per group. Each statement stays a plain SELECT that runs
// alone with the same answer: its rows are formatted by the same JSONEachRow writer, in its order.

/**
 * One query over `statements` (SELECTs, WITH allowed, no FORMAT or SETTINGS clause), answering
 * `index \t row number \t JSON row` lines in TSVRaw (JSON holds no raw tab or newline).
 */
export function composeStatements(statements: readonly string[]): string {
  return statements.map((sql, index) =>
    // The row number is taken inside the branch, on the statement's own ordered stream: UNION ALL
    // runs the branches in parallel and may interleave their chunks.
    `SELECT ${index} AS statement, rowNumberInAllBlocks() AS n, formatRowNoNewline('JSONEachRow', *) AS row\nFROM (\n${
      sql.replace(/;\s*$/, "")
    }\n)`
  ).join("\nUNION ALL\n");
}

/** The rows of each statement, in its own order, from the composed query's TSVRaw output. */
export function splitComposed<T>(text: string, count: number): T[][] {
  const numbered: [number, string][][] = Array.from({ length: count }, () => []);
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const first = line.indexOf("\t"), second = line.indexOf("\t", first + 1);
    numbered[Number(line.slice(0, first))].push([
      Number(line.slice(first + 1, second)),
      line.slice(second + 1),
    ]);
  }
  return numbered.map((rows) => rows.sort((a, b) => a[0] - b[0]).map(([, json]) => JSON.parse(json) as T));
}

/**
 * `costs` dealt into `groups` groups of about equal total (largest first, each to the lightest
 * group), as indexes; empty groups dropped.
 */
export function dealByCost(costs: readonly number[], groups: number): number[][] {
  const dealt = Array.from({ length: groups }, () => ({ total: 0, members: [] as number[] }));
  const order = costs.map((cost, index) => ({ cost, index })).sort((a, b) => b.cost - a.cost);
  for (const { cost, index } of order) {
    const lightest = dealt.reduce((min, g) => (g.total < min.total ? g : min));
    lightest.total += cost;
    lightest.members.push(index);
  }
  return dealt.map((g) => g.members.sort((a, b) => a - b)).filter((m) => m.length > 0);
}

/** A statement's planning cost, roughly: ClickHouse plans each table read (~2-3 ms of CPU each). */
export function readsIn(sql: string): number {
  return (sql.replace(/--[^\n]*/g, "").match(/\bFROM\b/gi) ?? []).length;
}
