import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { fileURLToPath } from "node:url";

Deno.test("the collector process on a taken port exits 1 with one log line naming the port and its holder", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = taken.addr as Deno.NetAddr;
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", fileURLToPath(new URL("main.ts", import.meta.url))],
      env: {
        COLLECTOR_PORT: String(port),
        COLLECTOR_SPOOL_DIR: "off",
        KAFKA_BROKERS: "127.0.0.1:1",
        LOG_FORMAT: "json",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr).trim();
    assertEquals(output.code, 1, stderr);
    const lines = stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    const last = lines.at(-1);
    assertEquals([last.level, last.component, last.port, last.holder_pid], [
      "error",
      "collector",
      port,
      Deno.pid,
    ]);
    match(
      last.message,
      new RegExp(`^port ${port} is taken by pid ${Deno.pid} .*set COLLECTOR_PORT to a free port$`),
    );
  } finally {
    taken.close();
  }
});
