// What the read-only SQL endpoint refuses, decided on the statement's syntax tree (sql_guard.ts turns
// ClickHouse's `EXPLAIN AST` into nodes). A rule refuses on a node wherever it stands, so a function
// hidden in a subquery, a CTE, a lambda or a view() is met like one in the select list, and a node
// that a name with a line break makes up can only add a refusal.

/** One line of `EXPLAIN AST`: "  Function file (children 1)" is { depth: 2, kind: "Function", name: "file" }. */
export type Node = { depth: number; kind: string; name: string };
export type Denial = { code: 164 | 497; message: string };

/** Reads and the statements that describe the schema (SHOW TABLES/DATABASES/SETTINGS parse as ShowTables). */
const STATEMENTS = new Set([
  "SelectWithUnionQuery",
  "Explain",
  "DescribeQuery",
  "ShowTables",
  "ShowCreateTableQuery",
  "ExistsTableQuery",
]);

/** Table functions that make rows from their arguments alone (view() reads a subquery, checked as any). */
const SAFE_TABLE_FUNCTIONS = new Set([
  "numbers",
  "numbers_mt",
  "zeros",
  "zeros_mt",
  "generate_series",
  "generateseries",
  "primes",
  "values",
  "format",
  "null",
  "generaterandom",
  "view",
]);

/** Scalar functions that read outside the tables: files, ML models, dictionaries, server settings. */
const OUTSIDE_READERS = ["file", "catboostevaluate", "getserversetting"];
const OUTSIDE_READER_PREFIXES = ["dict", "naivebayes"];

/**
 * System tables an SQL user may read: the schema, parts, merges, metrics and the Kafka consumers.
 * The rest are refused, first those holding secrets or access (users, roles, grants, quotas,
 * settings_profiles, named_collections, certificates), server settings and paths (server_settings,
 * disks, macros), other users' queries (processes, query_log) and anything added later.
 */
const SYSTEM_TABLES = new Set([
  "one",
  "numbers",
  "numbers_mt",
  "zeros",
  "zeros_mt",
  "databases",
  "tables",
  "columns",
  "parts",
  "parts_columns",
  "projection_parts",
  "data_skipping_indices",
  "merges",
  "mutations",
  "kafka_consumers",
  "metrics",
  "events",
  "asynchronous_metrics",
  "errors",
  "functions",
  "table_functions",
  "table_engines",
  "formats",
  "data_type_families",
  "time_zones",
  "settings",
]);

const ENDPOINT = "on the read-only SQL endpoint";

function statementDenial(node: Node | undefined): Denial | undefined {
  if (node && STATEMENTS.has(node.kind)) return undefined;
  const what = node ? `${node.kind} ${node.name}`.trim() : "an empty statement";
  return {
    code: 164,
    message: `Cannot execute ${what} in readonly mode: the SQL endpoint runs only SELECT (and WITH), ` +
      "SHOW TABLES/DATABASES, SHOW CREATE TABLE, DESCRIBE, EXISTS and EXPLAIN",
  };
}

function functionDenial(name: string, inFrom: boolean, tableFunctions: ReadonlySet<string>) {
  const lower = name.toLowerCase();
  const readsOutside = OUTSIDE_READERS.includes(lower) ||
    OUTSIDE_READER_PREFIXES.some((prefix) => lower.startsWith(prefix));
  if (readsOutside && !inFrom) {
    return `function ${name}() is not allowed ${ENDPOINT}: it reads files, models, dictionaries or server settings`;
  }
  if (tableFunctions.has(lower) && !SAFE_TABLE_FUNCTIONS.has(lower)) {
    return `table function ${name}() is not allowed ${ENDPOINT}; allowed: ${
      [...SAFE_TABLE_FUNCTIONS].join(", ")
    }`;
  }
  return undefined;
}

/** The system table a name refers to when its database is `system`: ["system", "users"] → "users". */
function systemTableDenial(parts: string[]): Denial | undefined {
  if (parts.length < 2 || parts[0].toLowerCase() !== "system") return undefined;
  const table = parts[1].toLowerCase();
  if (SYSTEM_TABLES.has(table)) return undefined;
  return {
    code: 497,
    message: `Not enough privileges: system.${table} is not readable ${ENDPOINT} (it holds users, grants, ` +
      `settings or server state; readable: system.${[...SYSTEM_TABLES].join(", system.")})`,
  };
}

/** The first rule the tree breaks, or undefined when the statement may run. */
export function denialOf(nodes: Node[], tableFunctions: ReadonlySet<string>): Denial | undefined {
  const [top] = nodes;
  const statement = statementDenial(top) ??
    (top.kind === "Explain" ? statementDenial(nodes.find((n) => n.depth === 1)) : undefined);
  if (statement) return statement;
  for (const [i, node] of nodes.entries()) {
    // The output options hang off the statement itself: a string there is INTO OUTFILE's path (or its
    // compression); every other literal sits deeper, inside an expression list.
    if (node.kind === "Literal" && node.depth <= 2) {
      return {
        code: 164,
        message: `INTO OUTFILE is not allowed ${ENDPOINT}: it writes a file on the server`,
      };
    }
    if (node.kind === "Set") {
      return {
        code: 164,
        message: `Cannot change settings in readonly mode: SET and SETTINGS are not allowed ${ENDPOINT}`,
      };
    }
    if (node.kind === "Function") {
      const parent = nodes.slice(0, i).findLast((n) => n.depth === node.depth - 1);
      const refused = functionDenial(node.name, parent?.kind === "TableExpression", tableFunctions);
      if (refused) return { code: 164, message: refused };
    }
    const named = node.kind === "TableIdentifier" || node.kind === "Identifier"
      ? systemTableDenial(node.name.split("."))
      // SHOW CREATE TABLE and EXISTS name the database and table in their own line: "system users".
      : node.kind === "ShowCreateTableQuery" || node.kind === "ExistsTableQuery"
      ? systemTableDenial(node.name.split(" "))
      : undefined;
    if (named) return named;
  }
  return undefined;
}
