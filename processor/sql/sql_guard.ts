// The SQL endpoint's check of a statement as ClickHouse itself parses it. `readonly = 1` refuses writes,
// DDL and setting changes, but in the embedded engine (chdb, i.e. clickhouse-local) the scalar file()
// reads any path, INTO OUTFILE writes any path, and user_files_path confines neither (measured on
// chdb 3.4 / ClickHouse 26.7). So before a statement runs, the engine formats it (one statement, or
// its own "Multi-statements are not allowed"), dumps its syntax tree with `EXPLAIN AST` (parameters
// substituted, so an {x:Identifier} is seen as the name it becomes), and this file reads the tree:
// allowed statement kinds, no table function but a few that read nothing, no function that reads
// files, models, dictionaries or server settings, no system table but an allowed few, no INTO
// OUTFILE. What passes is the formatted statement, which is what then runs.
import { type Engine, EngineError, parseRows } from "../engine/engine.ts";
import { denialOf, type Node } from "./sql_guard_rules.ts";

/** What the guard refused, as ClickHouse would: READONLY (164) or ACCESS_DENIED (497), and why. */
export class SqlRefused extends EngineError {
  constructor(code: 164 | 497, message: string) {
    super(code, `Code: ${code}. DB::Exception: ${message}. (${code === 164 ? "READONLY" : "ACCESS_DENIED"})`);
  }
}

/**
 * `EXPLAIN AST` prints one node per line, indented by its depth. Quoted identifiers keep their line
 * breaks in this dump, so a name can add lines of its own: the rules read every line as a node and
 * only ever refuse more because of an extra line, never less (sql_guard_rules.ts).
 */
function nodesOf(lines: string[]): Node[] {
  return lines.map((line) => {
    const text = line.trimStart();
    const depth = line.length - text.length;
    const space = text.indexOf(" ");
    return space < 0 ? { depth, kind: text, name: "" } : {
      depth,
      kind: text.slice(0, space),
      name: text.slice(space + 1).replace(/ \((alias|children) .*$/, ""),
    };
  });
}

export class SqlGuard {
  #engine: Engine;
  #tableFunctions?: Promise<Set<string>>;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /**
   * The statement to run in place of `sql`, or a SqlRefused (or the engine's own error: syntax,
   * several statements, a setting changed in readonly mode).
   */
  async check(sql: string, params: Record<string, string>): Promise<string> {
    // One statement per request, as a ClickHouse server's HTTP interface: the engine's formatter
    // refuses several (chdb would otherwise run every one and mix their output).
    const [{ statement }] = await this.#rows<{ statement: string }>(
      "SELECT formatQuerySingleLine({sql:String}) AS statement",
      { sql },
    );
    const dump = await this.#rows<{ explain: string }>(`EXPLAIN AST ${statement}`, params);
    const denial = denialOf(nodesOf(dump.map((row) => row.explain)), await this.#loadTableFunctions());
    if (denial) throw new SqlRefused(denial.code, denial.message);
    return statement;
  }

  /** Every table function the engine knows, from its own registry: new ones are refused too. */
  #loadTableFunctions(): Promise<Set<string>> {
    this.#tableFunctions ??= this.#engine.rows<{ name: string }>("SELECT name FROM system.table_functions")
      .then((rows) => new Set(rows.map((row) => row.name.toLowerCase())))
      .catch((error) => {
        this.#tableFunctions = undefined; // the next statement asks again instead of failing for good
        throw error;
      });
    return this.#tableFunctions;
  }

  async #rows<T>(sql: string, params: Record<string, string>): Promise<T[]> {
    const result = await this.#engine.query(sql, { format: "JSONEachRow", params, fromSqlUser: true });
    const rows = parseRows<T>(result.text);
    if (rows.length === 0) throw new EngineError(1001, `The engine answered nothing to ${sql.slice(0, 40)}`);
    return rows;
  }
}
