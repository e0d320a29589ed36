// The processor's own SQL files name their parameters as `{name:Type}`, as the console and
// `clickhouse client` pass them. The embedded engine inlines them as typed literals instead of
// binding them: chdb binds parameters through one process-wide state, so its binding runs every
// parameterized query of the process one after the other (node_modules/chdb/index.js,
// globalParamChain), while queries without parameters run in parallel on separate sessions. A
// literal also skips the binding's own cost (~0.5 ms of CPU a query, loadtest/RESULTS.md).
//
// `CAST('text' AS Type)` is what the server's own substitution builds (a literal cast to the declared
// type) and is folded to a constant before the primary key is read, so plans and answers stay those
// of the bound query. An `Identifier` (a table or column the app picked for the range's grain, from
// its own fixed list) is no literal: it becomes the back-quoted name, and only a plain name is taken.

/** Characters a single-quoted ClickHouse string literal escapes: `\` and `'` could end it early. */
const ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "'": "\\'",
  "\0": "\\0",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

export function stringLiteral(text: string): string {
  return `'${text.replace(/[\\'\0\b\f\n\r\t]/g, (c) => ESCAPES[c])}'`;
}

const PLACEHOLDER = /\{(\w+):([^{}]+)\}/g;

/** A plain table or column name: nothing a back quote, a dot or a space could turn into more SQL. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function identifier(name: string): string {
  if (!PLAIN_NAME.test(name)) {
    throw new Error(
      `An Identifier parameter must be a plain name (letters, digits, _); got ${JSON.stringify(name)}`,
    );
  }
  return `\`${name}\``;
}

/**
 * `sql` with each `{name:Type}` replaced by its value as a literal of that type; undefined when a
 * value is not a string or a number (an array, say), which stays with the engine's binding. A
 * placeholder without a value is left for the engine to refuse, as it refuses an unbound one.
 */
export function inlineParams(sql: string, params: Record<string, unknown>): string | undefined {
  const values = Object.values(params);
  if (!values.every((v) => typeof v === "string" || typeof v === "number")) return undefined;
  return sql.replace(PLACEHOLDER, (placeholder, name: string, type: string) => {
    const value = params[name];
    if (value === undefined) return placeholder;
    if (type.trim() === "Identifier") return identifier(String(value));
    return `CAST(${stringLiteral(String(value))} AS ${type})`;
  });
}
