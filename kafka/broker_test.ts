import { ok } from "node:assert/strict";
import { newClusterId, startBroker, stopBroker } from "./broker.ts";
import { freePort } from "../lib/process.ts";

Deno.test({
  name: "startBroker() formats and starts a node whose cluster id starts with '-' (1 in 64 random ids)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "shoptrail-broker-" });
    try {
      const broker = await startBroker({
        dataDir,
        port: await freePort(),
        controllerPort: await freePort(),
        clusterId: `-${newClusterId().slice(1)}`,
      });
      ok(broker.pid > 0);
    } finally {
      await stopBroker(dataDir);
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
