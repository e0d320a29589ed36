import { strictEqual, throws } from "node:assert/strict";
import { envInt, envPort, envUrl } from "./env.ts";

const env = (values: Record<string, string>) => (name: string) => values[name];

Deno.test("envPort() uses the fallback when unset and the value when valid", () => {
  strictEqual(envPort(env({}), "P", 8080), 8080);
  strictEqual(envPort(env({ P: "9000" }), "P", 8080), 9000);
});

Deno.test("envInt() names the variable and the expected form when the value is bad", () => {
  throws(
    () => envPort(env({ P: "80x" }), "P", 1),
    /P="80x" is not valid: expected a whole number from 0 to 65535/,
  );
  throws(() => envPort(env({ P: "70000" }), "P", 1), /P="70000"/);
  throws(() => envInt(env({ N: "-1" }), "N", 1), /N="-1"/);
});

Deno.test("envUrl() accepts a URL and explains a bad one", () => {
  strictEqual(envUrl(env({ U: "http://h:8123" }), "U")?.host, "h:8123");
  strictEqual(envUrl(env({}), "U"), undefined);
  throws(() => envUrl(env({ U: "not a url" }), "U"), /U="not a url" is not valid: expected a URL/);
});
