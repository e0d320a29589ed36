// `deno task sql "SELECT ..."`: a query against the running processor, printed as a table.
import { sqlText } from "../lib/sql_client.ts";
import { processorConfig, resolveSqlPassword } from "./config.ts";

const sql = Deno.args.join(" ").trim();
if (!sql) {
  console.error('usage: deno task sql "SELECT * FROM funnel_1m ORDER BY window_start DESC LIMIT 10"');
  Deno.exit(2);
}
const config = processorConfig();
const endpoint = {
  url: Deno.env.get("SQL_URL") ?? `http://${config.host}:${config.port}/`,
  user: config.sqlUser,
  password: await resolveSqlPassword(config),
};
try {
  const started = performance.now();
  const text = await sqlText(endpoint, sql, "PrettyCompactMonoBlock");
  console.log(`${text}(${(performance.now() - started).toFixed(0)} ms)`);
} catch (error) {
  console.error((error as Error).message);
  Deno.exit(1);
}
