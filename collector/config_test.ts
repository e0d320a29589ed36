import { deepStrictEqual as assertEquals, ok, throws } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { collectorConfig, PUBLIC_IP_REQUESTS_PER_S } from "./config.ts";

const env = (values: Record<string, string>) => (name: string) => values[name];

Deno.test("collectorConfig() has working defaults", () => {
  const config = collectorConfig(env({}));
  assertEquals([config.port, config.transport, config.kafka.compression, config.parseOnly], [
    8080,
    "kafka",
    "lz4",
    false,
  ]);
  assertEquals(config.spool?.dir, ".data/spool");
  assertEquals(
    config.saltDir,
    ".data/salt",
    "beside the spool: each process has its own spool, all share the salt",
  );
  assertEquals(config.client.ipRate, undefined);
});

Deno.test("collectorConfig() stops on a bad value, naming the variable and the expected form", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { COLLECTOR_PORT: "80a" },
      /COLLECTOR_PORT="80a" is not valid: expected a whole number from 0 to 65535$/,
    ],
    [
      { COLLECTOR_TRANSPORT: "http" },
      /COLLECTOR_TRANSPORT="http" is not valid: expected one of kafka, upstash$/,
    ],
    [{ COLLECTOR_TRANSPORT: "upstash" }, /^Error: COLLECTOR_TRANSPORT=upstash needs UPSTASH_KAFKA_REST_URL/],
    [
      { UPSTASH_KAFKA_REST_URL: "not a url" },
      /UPSTASH_KAFKA_REST_URL="not a url" is not valid: expected a URL/,
    ],
    [
      { COLLECTOR_KAFKA_COMPRESSION: "brotli" },
      /COLLECTOR_KAFKA_COMPRESSION="brotli" is not valid: expected one of none/,
    ],
    [
      { COLLECTOR_WORKERS: "all" },
      /COLLECTOR_WORKERS="all" is not valid: expected a whole number from 1 to 256, or auto \(one per core\)/,
    ],
    [
      { COLLECTOR_PARSE_ONLY: "yes" },
      /COLLECTOR_PARSE_ONLY="yes" is not valid: expected one of true, 1, false, 0/,
    ],
    [
      { COLLECTOR_IP_HEADER: "x forwarded" },
      /COLLECTOR_IP_HEADER="x forwarded" is not valid: expected a header name/,
    ],
    [
      { COLLECTOR_MAX_BODY_BYTES: "10" },
      /COLLECTOR_MAX_BODY_BYTES="10" is not valid: expected a whole number from 1024/,
    ],
    [{ COLLECTOR_SPOOL_MAX_BYTES: "-1" }, /^Error: COLLECTOR_SPOOL_MAX_BYTES="-1" is not valid/],
  ];
  for (const [values, message] of cases) throws(() => collectorConfig(env(values)), message);
});

Deno.test("collectorConfig() reads the optional parts", () => {
  const config = collectorConfig(env({
    COLLECTOR_SPOOL_DIR: "off",
    COLLECTOR_PARSE_ONLY: "1",
    COLLECTOR_IP_REQUESTS_PER_S: "10",
    COLLECTOR_COUNTRY_HEADER: "CF-IPCountry",
  }));
  assertEquals(config.spool, undefined);
  assertEquals(config.saltDir, undefined, "no spool, no disk: the salt is the process's own");
  assertEquals(config.parseOnly, true);
  assertEquals(config.client.ipRate, { perSecond: 10, burst: 50 });
  assertEquals(config.client.countryHeader, "cf-ipcountry");
});

const OPEN_REFUSED =
  /^Error: COLLECTOR_SITES_FILE is not set, and the collector is reachable from other machines \(COLLECTOR_HOST=0\.0\.0\.0\): it would accept any site from any origin\. Set COLLECTOR_SITES_FILE to the sites file \(collector\/clients\/sites\.ts\), or COLLECTOR_ALLOW_ANY_SITE=1 to run open on purpose$/;

Deno.test("collectorConfig() refuses open mode where other machines reach it, unless asked for", () => {
  throws(() => collectorConfig(env({ COLLECTOR_HOST: "0.0.0.0" })), OPEN_REFUSED);
  throws(
    () => collectorConfig(env({ COLLECTOR_HOST: "::" })),
    /reachable from other machines \(COLLECTOR_HOST=::\)/,
  );
  throws(
    () => collectorConfig(env({ COLLECTOR_HOST: "192.0.2.10", COLLECTOR_ALLOW_ANY_SITE: "0" })),
    /not set/,
  );
  // Behind a proxy on the same machine: loopback, but the proxy forwards the internet's requests.
  throws(
    () => collectorConfig(env({ COLLECTOR_IP_HEADER: "X-Forwarded-For" })),
    /reachable from other machines \(COLLECTOR_IP_HEADER=x-forwarded-for\)/,
  );
  throws(
    () => collectorConfig(env({ COLLECTOR_HOST: "0.0.0.0", COLLECTOR_ALLOW_ANY_SITE: "yes" })),
    /expected one of/,
  );
  const opt: Record<string, string>[] = [{ COLLECTOR_ALLOW_ANY_SITE: "1" }, {
    COLLECTOR_SITES_FILE: "/etc/sites.json",
  }];
  for (const opened of opt) {
    assertEquals(collectorConfig(env({ COLLECTOR_HOST: "0.0.0.0", ...opened })).host, "0.0.0.0");
  }
  for (const host of ["127.0.0.1", "localhost", "::1", "127.0.0.2"]) {
    assertEquals(
      collectorConfig(env({ COLLECTOR_HOST: host })).sitesFile,
      undefined,
      `${host}: demo stays open`,
    );
  }
});

Deno.test("collectorConfig() limits each client IP by default where other machines reach it", () => {
  const burst = PUBLIC_IP_REQUESTS_PER_S * 5;
  const exposures: Record<string, string>[] = [{ COLLECTOR_HOST: "0.0.0.0" }, {
    COLLECTOR_IP_HEADER: "x-forwarded-for",
  }];
  for (const exposed of exposures) {
    const config = collectorConfig(env({ ...exposed, COLLECTOR_SITES_FILE: "/etc/sites.json" }));
    assertEquals(config.client.ipRate, { perSecond: PUBLIC_IP_REQUESTS_PER_S, burst });
  }
  const open = collectorConfig(env({ COLLECTOR_HOST: "0.0.0.0", COLLECTOR_ALLOW_ANY_SITE: "1" }));
  assertEquals(
    open.client.ipRate,
    { perSecond: PUBLIC_IP_REQUESTS_PER_S, burst },
    "open on purpose, still limited",
  );
  const off = { COLLECTOR_HOST: "0.0.0.0", COLLECTOR_ALLOW_ANY_SITE: "1", COLLECTOR_IP_REQUESTS_PER_S: "0" };
  assertEquals(collectorConfig(env(off)).client.ipRate, undefined, "an operator may turn it off by name");
});

Deno.test("collectorConfig() reads no IP-hash secret: the hash key is the day's random salt", () => {
  const read: string[] = [];
  const config = collectorConfig((
    name,
  ) => (read.push(name), name === "COLLECTOR_IP_SECRET" ? "s" : undefined));
  ok(!read.some((name) => /SECRET/.test(name)), read.join(", "));
  ok(!JSON.stringify(config).includes('"s"'));
});

Deno.test("the collector process stops at start in open mode on a public address, naming the variable", async () => {
  const main = fileURLToPath(new URL("main.ts", import.meta.url));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main],
    env: {
      COLLECTOR_HOST: "0.0.0.0",
      COLLECTOR_SITES_FILE: "",
      COLLECTOR_ALLOW_ANY_SITE: "",
      LOG_FORMAT: "json",
    },
    stdout: "null",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  assertEquals(output.code, 1, stderr);
  const { level, component, message, ...fields } = JSON.parse(stderr.split("\n").at(-1)!);
  assertEquals([level, component, fields.error], ["error", "collector", undefined], stderr);
  assertEquals(
    message,
    "COLLECTOR_SITES_FILE is not set, and the collector is reachable from other machines " +
      "(COLLECTOR_HOST=0.0.0.0): it would accept any site from any origin. Set COLLECTOR_SITES_FILE to the " +
      "sites file (collector/clients/sites.ts), or COLLECTOR_ALLOW_ANY_SITE=1 to run open on purpose",
  );
});
