import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { startError } from "./service.ts";

Deno.test("startError() names a taken port, its holder and the setting that moves it", () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  try {
    let error: unknown;
    try {
      Deno.listen({ hostname: "127.0.0.1", port });
    } catch (e) {
      error = e;
    }
    const { message, fields } = startError(error, { listen: { port, setting: "COLLECTOR_PORT" } });
    match(
      message,
      new RegExp(
        `^port ${port} is taken by pid ${Deno.pid} \\(.*deno.*\\): stop that process or set COLLECTOR_PORT to a free port$`,
      ),
    );
    assertEquals(fields, { port, holder_pid: Deno.pid });
  } finally {
    listener.close();
  }
});

Deno.test("startError() gives an expected error's message alone, and any other error whole", () => {
  const listen = { port: 1, setting: "P" };
  const bad = new RangeError("P=x is not valid");
  assertEquals(startError(bad, { listen, expected: (e) => e instanceof RangeError }), {
    message: bad.message,
    fields: {},
  });
  const odd = new Error("disk gone");
  assertEquals(startError(odd, { listen }), { message: "could not start", fields: { error: odd } });
});
