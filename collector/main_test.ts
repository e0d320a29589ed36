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

Deno.test("two workers serve one port, each spooling in its own folder; /metrics sums them, and one worker takes over both spools", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = probe.addr as Deno.NetAddr;
  probe.close();
  const dir = await Deno.makeTempDir({ prefix: "collector-workers-" });
  const url = `http://127.0.0.1:${port}`;
  const start = async (workers: number) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", fileURLToPath(new URL("main.ts", import.meta.url))],
      env: {
        COLLECTOR_WORKERS: String(workers),
        COLLECTOR_PORT: String(port),
        COLLECTOR_SPOOL_DIR: `${dir}/spool`,
        COLLECTOR_KAFKA_TIMEOUT_MS: "200",
        KAFKA_BROKERS: "127.0.0.1:1", // nobody: every batch goes to a spool
        LOG_FORMAT: "json",
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
    for (
      let i = 0;
      (await fetch(`${url}/health`).then((r) => r.body?.cancel(), () => "down")) === "down";
      i++
    ) {
      if (i > 100) throw new Error("the collector did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
    return child;
  };
  const metric = async (name: string) =>
    Number(new RegExp(`^${name} (\\S+)$`, "m").exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
  let child = await start(2);
  try {
    const body = JSON.stringify({
      site: "shop",
      sent_at: Date.now(),
      events: [{
        event_id: crypto.randomUUID(),
        type: "page_view",
        ts: Date.now(),
        session_id: "s",
        url: "https://shop.example/",
      }],
    });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      // A connection of its own each time, so the kernel spreads them over both workers.
      const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
      const response = await fetch(`${url}/v1/batch`, {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body,
        client,
      });
      statuses.push(response.status);
      await response.body?.cancel();
      client.close();
    }
    assertEquals(new Set(statuses), new Set([202]));
    assertEquals(
      await metric('collector_requests_total\\{route="/v1/batch",method="POST",status="202"\\}'),
      40,
    );
    assertEquals(await metric("collector_spool_batches"), 40);
    const segments = async (path: string) =>
      (await Array.fromAsync(Deno.readDir(path))).filter((e) => e.name.endsWith(".seg")).length;
    assertEquals([await segments(`${dir}/spool`) > 0, await segments(`${dir}/spool/worker-1`) > 0], [
      true,
      true,
    ]);

    // One worker now: it replays worker 1's spool as well as its own (Kafka is still away).
    child.kill("SIGTERM");
    await child.status;
    child = await start(1);
    for (let i = 0; (await metric("collector_spool_batches")) !== 40; i++) {
      if (i > 50) {
        throw new Error(`the spools hold ${await metric("collector_spool_batches")} batches, not 40`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
