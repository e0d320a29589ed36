// One log line per event for the services: a JSON object per line (time, level, component, message,
// fields) that Loki, Elasticsearch or CloudWatch ingest as is, or a readable line on a terminal.
// LOG_FORMAT=json|text chooses; unset, a terminal gets text and a file or pipe gets JSON.
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;
export type LogFormat = "json" | "text";

export type Logger = {
  readonly component: string;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
};

export type LoggerOptions = {
  format?: LogFormat;
  /** Where each finished line goes; stdout for debug and info, stderr for warn and error by default. */
  write?: (line: string, level: LogLevel) => void;
  clock?: () => number;
};

/** LOG_FORMAT, or text on a terminal and JSON elsewhere; anything else is a mistake worth stopping on. */
export function logFormatFromEnv(
  value = Deno.env.get("LOG_FORMAT"),
  terminal = Deno.stderr.isTerminal(),
): LogFormat {
  if (value === undefined || value === "") return terminal ? "text" : "json";
  if (value === "json" || value === "text") return value;
  throw new Error(`LOG_FORMAT=${JSON.stringify(value)} is not valid: expected json or text`);
}

function writeStd(line: string, level: LogLevel): void {
  if (level === "warn" || level === "error") console.error(line);
  else console.log(line);
}

/** An Error as a field: its message and stack, which JSON.stringify would render as `{}`. */
function plain(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}

export function formatLine(
  format: LogFormat,
  { time, level, component, message, fields = {} }: {
    time: number;
    level: LogLevel;
    component: string;
    message: string;
    fields?: LogFields;
  },
): string {
  const iso = new Date(time).toISOString();
  if (format === "json") {
    const extra = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, plain(v)]));
    return JSON.stringify({ time: iso, level, component, message, ...extra });
  }
  const pairs = Object.entries(fields).map(([k, v]) => {
    const value = plain(v);
    return ` ${k}=${typeof value === "string" ? value : JSON.stringify(value)}`;
  });
  return `${iso} ${level.toUpperCase().padEnd(5)} ${component}: ${message}${pairs.join("")}`;
}

export function createLogger(component: string, o: LoggerOptions = {}): Logger {
  const format = o.format ?? logFormatFromEnv();
  const write = o.write ?? writeStd;
  const clock = o.clock ?? Date.now;
  const at = (level: LogLevel) => (message: string, fields?: LogFields) =>
    write(formatLine(format, { time: clock(), level, component, message, fields }), level);
  return { component, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
