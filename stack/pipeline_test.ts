import { deepStrictEqual as assertEquals, match, ok as assert, rejects } from "node:assert/strict";
import { freePort } from "../lib/process.ts";
import { StartError, startPipeline } from "./pipeline.ts";

Deno.test("startPipeline() on a taken port stops before starting anything and says which port, by whom", async () => {
  const dataRoot = await Deno.makeTempDir({ prefix: "shoptrail-ports-" });
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const processorPort = (taken.addr as Deno.NetAddr).port;
  try {
    await rejects(
      startPipeline({
        dataRoot,
        kafkaPort: await freePort(),
        processorPort,
        collectorPort: await freePort(),
      }),
      (error: Error) => {
        assert(error instanceof StartError, `a StartError, got ${error.stack}`);
        match(
          error.message,
          new RegExp(
            `port ${processorPort} \\(processor, PROCESSOR_PORT\\) is taken by pid ${Deno.pid} \\(.*deno`,
          ),
        );
        match(error.message, new RegExp(`PROCESSOR_PORT=${processorPort + 10} deno task up`));
        return true;
      },
    );
    // Nothing was started: no broker data, no service pid files.
    assertEquals([...Deno.readDirSync(dataRoot)].map((e) => e.name), []);
  } finally {
    taken.close();
    await Deno.remove(dataRoot, { recursive: true });
  }
});
