// How a service process starts and stops: a start that fails says in one log line what to fix (a
// setting, or a port another process holds, by name), not a stack trace; SIGINT and SIGTERM run the
// service's own stop, then end the process.
import type { LogFields, Logger } from "./log.ts";
import { portHolder } from "./ports.ts";

export type Running = { stop(): Promise<void> };

export type ServiceOptions = {
  log: Logger;
  /** The port the service binds and the variable that sets it, to name them when it is taken. */
  listen: { port: number; setting: string };
  /** Errors whose message alone says what to fix (a bad setting): logged without their stack. */
  expected?: (error: unknown) => boolean;
};

/** What a failed start logs: the fix for a taken port or an expected error, else the error itself. */
export function startError(
  error: unknown,
  o: Omit<ServiceOptions, "log">,
): { message: string; fields: LogFields } {
  if (error instanceof Deno.errors.AddrInUse) {
    const holder = portHolder(o.listen.port);
    const by = holder ? ` by pid ${holder.pid} (${holder.command})` : "";
    return {
      message:
        `port ${o.listen.port} is taken${by}: stop that process or set ${o.listen.setting} to a free port`,
      fields: { port: o.listen.port, holder_pid: holder?.pid },
    };
  }
  if (o.expected?.(error)) return { message: (error as Error).message, fields: {} };
  return { message: "could not start", fields: { error } };
}

/** Runs `start`; on failure logs why and exits 1, on a stop signal stops the service and exits 0. */
export async function runService(start: () => Promise<Running>, o: ServiceOptions): Promise<void> {
  let running: Running;
  try {
    running = await start();
  } catch (error) {
    const { message, fields } = startError(error, o);
    o.log.error(message, fields);
    Deno.exit(1);
  }
  const stop = async () => {
    await running.stop();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
