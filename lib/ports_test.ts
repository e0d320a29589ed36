import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { portFree, portHolder } from "./ports.ts";

Deno.test("portHolder() names the process listening on a port, and portFree() sees it taken", () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  try {
    assertEquals(portFree(port), false);
    const holder = portHolder(port);
    assertEquals(holder?.pid, Deno.pid);
    match(holder?.command ?? "", /deno/);
  } finally {
    listener.close();
  }
  assertEquals(portFree(port), true);
  assertEquals(portHolder(port), undefined);
});
