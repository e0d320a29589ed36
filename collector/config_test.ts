import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { collectorConfig } from "./config.ts";

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
  assertEquals(config.parseOnly, true);
  assertEquals(config.client.ipRate, { perSecond: 10, burst: 50 });
  assertEquals(config.client.countryHeader, "cf-ipcountry");
});
