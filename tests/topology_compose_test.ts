// docker-compose.yml cannot be run here (no Docker engine), so it is checked against the code it
// deploys: pinned images at the versions the local scripts use, every environment variable one
// the config modules read (and valid for them), ports and healthchecks that match those settings,
// the same Kafka brokers and topics everywhere, in both the one-broker and three-broker setups.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { collectorConfig } from "../collector/config.ts";
import { topicSetupFromEnv } from "../kafka/create_topics.ts";
import { kafkaVersion } from "../kafka/fetch.ts";
import { brokersFromEnv, topicsFromEnv } from "../kafka/topics.ts";
import { parseCli } from "../loadtest/args.ts";
import { processorConfig } from "../processor/config.ts";
import { askEngine } from "./topology_engine.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const composeText = Deno.readTextFileSync(`${root}docker-compose.yml`);
const clusterEnvText = Deno.readTextFileSync(`${root}docker-compose.cluster.env`);
const packageJson = JSON.parse(Deno.readTextFileSync(`${root}package.json`));

type Service = {
  image?: string;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
};
type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };

function envFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split("\n").filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l)).map((
      l,
    ) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, $$ for a literal $. */
function interpolate(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\$|\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (all, name: string, fallback?: string) => {
      if (all === "$$") return "$";
      const v = vars[name];
      if (v !== undefined && v !== "") return v;
      if (fallback === undefined) throw new Error(`docker-compose.yml uses \${${name}} without a default`);
      return fallback;
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars)]));
  }
  return value;
}

type Setup = { name: string; services: Record<string, Service>; compose: Compose };

function setup(name: string, vars: Record<string, string>, extraProfiles: string[] = []): Setup {
  const compose = interpolate(parse(composeText, { merge: true }), vars) as Compose;
  const profiles = new Set([...(vars.COMPOSE_PROFILES ?? "").split(",").filter(Boolean), ...extraProfiles]);
  const services = Object.fromEntries(
    Object.entries(compose.services).filter(([, s]) =>
      !s.profiles || s.profiles.some((p) => profiles.has(p))
    ),
  );
  return { name, services, compose };
}

const setups = [
  setup("one broker", {}, ["simulator"]),
  setup("three brokers", envFile(clusterEnvText), ["simulator"]),
];

/** Runs a config function on a service's environment, noting which names it reads. */
function readsOf<T>(
  config: (env: (name: string) => string | undefined) => T,
  env: Record<string, string> = {},
) {
  const names = new Set<string>();
  const value = config((name) => {
    names.add(name);
    return env[name];
  });
  return { names, value };
}

function assertEnvKnown(setupName: string, service: string, env: Record<string, string>, names: Set<string>) {
  const unknown = Object.keys(env).filter((k) => !names.has(k));
  assertEquals(unknown, [], `${setupName}: ${service} sets variables its config never reads`);
}

const kafkaNodes = (s: Setup) =>
  Object.entries(s.services).filter(([, v]) => v.image?.startsWith("apache/kafka:"));
const denoServices = (s: Setup) =>
  Object.entries(s.services).filter(([, v]) => v.image?.startsWith("denoland/deno:"));
const listener = (listeners: string, name: string) =>
  listeners.split(",").find((l) => l.startsWith(`${name}://`));
const portOf = (address: string) => Number(address.slice(address.lastIndexOf(":") + 1));
const publishedTargets = (svc: Service) => (svc.ports ?? []).map((p) => Number(p.split(":").at(-1)));

Deno.test("images are pinned to the versions the local scripts run", async () => {
  const [engine] = await askEngine(["SELECT version()"]);
  assert(engine.ok, "the embedded engine answers its version");
  const engineLine = engine.text.split(".").slice(0, 2).join(".");
  for (const s of setups) {
    for (const [name, svc] of Object.entries(s.services)) {
      assert(svc.image && /:\d[\w.-]*$/.test(svc.image), `${name}: image ${svc.image} has a version tag`);
    }
    for (const [name, svc] of kafkaNodes(s)) assertEquals(svc.image, `apache/kafka:${kafkaVersion()}`, name);
    for (const [name, svc] of denoServices(s)) {
      assertEquals(svc.image, `denoland/deno:${packageJson.dependencies.deno}`, name);
    }
    const clickhouse = s.services.clickhouse.image!;
    assert(clickhouse.startsWith("clickhouse/clickhouse-server:"), clickhouse);
    const tag = clickhouse.slice(clickhouse.indexOf(":") + 1);
    assertEquals(
      tag.split(".").slice(0, 2).join("."),
      engineLine,
      "server on the embedded engine's release line",
    );
  }
});

Deno.test("the Kafka nodes form one cluster and every client lists exactly its brokers", () => {
  for (const s of setups) {
    const nodes = kafkaNodes(s);
    assertEquals(nodes.length, s.name === "one broker" ? 1 : 3, `${s.name}: broker count`);
    const envs = nodes.map(([, v]) => v.environment!);
    for (const key of ["CLUSTER_ID", "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_DEFAULT_REPLICATION_FACTOR"]) {
      assertEquals(new Set(envs.map((e) => e[key])).size, 1, `${s.name}: ${key} is the same on every node`);
    }
    const voters = envs[0].KAFKA_CONTROLLER_QUORUM_VOTERS.split(",").sort();
    const expectedVoters = nodes.map(([name, v]) => {
      const controller = listener(v.environment!.KAFKA_LISTENERS, "CONTROLLER")!;
      return `${v.environment!.KAFKA_NODE_ID}@${name}:${portOf(controller)}`;
    }).sort();
    assertEquals(voters, expectedVoters, `${s.name}: the quorum is exactly the running nodes`);

    const advertised = nodes.map(([name, v]) => {
      const internal = listener(v.environment!.KAFKA_ADVERTISED_LISTENERS, "PLAINTEXT")!;
      assertEquals(
        internal.slice("PLAINTEXT://".length, internal.lastIndexOf(":")),
        name,
        `${name} advertises itself`,
      );
      assertEquals(portOf(internal), portOf(listener(v.environment!.KAFKA_LISTENERS, "PLAINTEXT")!));
      const host = listener(v.environment!.KAFKA_ADVERTISED_LISTENERS, "HOST")!;
      assert(publishedTargets(v).includes(portOf(host)), `${name} publishes its host listener ${host}`);
      const data = v.environment!.KAFKA_LOG_DIRS;
      assert(v.volumes?.some((m) => m.endsWith(`:${data}`)), `${name} keeps ${data} in a volume`);
      return internal.slice("PLAINTEXT://".length);
    }).sort();

    const rf = Number(envs[0].KAFKA_DEFAULT_REPLICATION_FACTOR);
    const minIsr = Number(envs[0].KAFKA_MIN_INSYNC_REPLICAS);
    assertEquals(rf, nodes.length, `${s.name}: every broker holds a replica`);
    assert(
      rf === 1 ? minIsr === 1 : minIsr >= 2 && minIsr < rf,
      `${s.name}: min.insync.replicas ${minIsr} of ${rf}`,
    );
    assertEquals(Number(envs[0].KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR), rf);

    for (const [name, svc] of Object.entries(s.services).filter(([, v]) => v.environment?.KAFKA_BROKERS)) {
      const env = svc.environment!;
      assertEquals(brokersFromEnv((n) => env[n]).sort(), advertised, `${s.name}: ${name}'s KAFKA_BROKERS`);
    }
    const topicSetup = topicSetupFromEnv((n) => s.services["kafka-topics"].environment![n]);
    assertEquals(
      [topicSetup.replicas, topicSetup.minInsyncReplicas],
      [rf, minIsr],
      `${s.name}: topics replicated as the brokers`,
    );
  }
});

Deno.test("every service's environment is read by its config module and valid for it", () => {
  const topicNames = JSON.stringify(topicsFromEnv(() => undefined));
  for (const s of setups) {
    const collector = s.services.collector;
    const c = readsOf(collectorConfig, collector.environment);
    assertEnvKnown(s.name, "collector", collector.environment!, c.names);
    assertEquals(c.value.host, "0.0.0.0", "the collector listens beyond its container");
    assert(
      publishedTargets(collector).includes(c.value.port),
      `collector publishes COLLECTOR_PORT ${c.value.port}`,
    );
    assert(
      collector.healthcheck!.test.join(" ").includes(`:${c.value.port}/health`),
      "collector healthcheck port",
    );
    assert(collector.volumes!.some((m) => m.endsWith(`:${c.value.spool!.dir}`)), "the spool is a volume");
    assertEquals(JSON.stringify(c.value.topics), topicNames, "collector topics as kafka/topics.ts");

    const migrate = s.services["processor-migrate"];
    const p = readsOf(processorConfig, migrate.environment);
    assertEnvKnown(s.name, "processor-migrate", migrate.environment!, p.names);
    assert(p.value.clickhouseUrl, "the processor runs in migrate mode (CLICKHOUSE_URL)");
    assert(
      s.services[p.value.clickhouseUrl.hostname],
      `CLICKHOUSE_URL names a service: ${p.value.clickhouseUrl}`,
    );
    const server = s.services[p.value.clickhouseUrl.hostname];
    assertEquals(p.value.clickhouseUrl.port, "8123");
    assertEquals(
      [p.value.clickhouseUser, p.value.clickhousePassword],
      [server.environment!.CLICKHOUSE_USER, server.environment!.CLICKHOUSE_PASSWORD],
      "the processor logs in as the server's user",
    );
    assertEquals(p.value.sqlValues.EVENTS_TOPIC, topicsFromEnv(() => undefined).events.name);

    const topics = s.services["kafka-topics"];
    const t = readsOf(topicSetupFromEnv, topics.environment);
    assertEnvKnown(s.name, "kafka-topics", topics.environment!, t.names);
    assertEquals(
      JSON.stringify(t.value.topics),
      JSON.stringify(Object.values(topicsFromEnv(() => undefined))),
    );

    const sim = s.services.simulator.command!;
    const cli = parseCli(sim.slice(sim.indexOf("loadtest/simulate.ts") + 1));
    assert("options" in cli, `simulator flags parse: ${JSON.stringify(cli)}`);
    const target = new URL(cli.options.collector);
    assertEquals(
      [target.hostname, Number(target.port)],
      ["collector", c.value.port],
      "simulator sends to the collector",
    );
  }
});

Deno.test("services start in order, long-running ones have healthchecks, scripts and volumes exist", async () => {
  for (const s of setups) {
    for (const [name, svc] of Object.entries(s.services)) {
      const oneShot = svc.restart === "no";
      if (!oneShot && name !== "simulator") {
        assert(svc.healthcheck?.test?.length, `${s.name}: ${name} has a healthcheck`);
      }
      for (const [dep, { condition }] of Object.entries(svc.depends_on ?? {})) {
        const target = s.services[dep];
        assert(target, `${s.name}: ${name} depends on ${dep}, which does not run in this setup`);
        const expected = target.restart === "no" ? "service_completed_successfully" : "service_healthy";
        assertEquals(condition, expected, `${s.name}: ${name} waits for ${dep}`);
      }
      for (const arg of svc.command ?? []) {
        if (/^[\w/]+\.ts$/.test(arg)) await Deno.stat(`${root}${arg}`); // throws if the script is missing
      }
      for (const mount of svc.volumes ?? []) {
        const source = mount.split(":")[0];
        if (source.startsWith(".")) await Deno.stat(`${root}${source}`); // throws if the file is missing
        else assert(source in s.compose.volumes, `${name}: volume ${source} is declared`);
      }
    }
    for (const [name, svc] of denoServices(s)) {
      if (name === "deps") continue;
      assertEquals(
        svc.depends_on?.deps?.condition,
        "service_completed_successfully",
        `${name} waits for npm packages`,
      );
    }
  }
});

Deno.test("the ClickHouse server consumes Kafka with the embedded engine's librdkafka settings", () => {
  for (const s of setups) {
    const mounts = (s.services.clickhouse.volumes ?? []).map((m) => m.split(":"));
    assert(
      mounts.some(([source, target]) =>
        source === "./processor/embedded_config.xml" && target.startsWith("/etc/clickhouse-server/config.d/")
      ),
      `${s.name}: the server reads processor/embedded_config.xml from config.d`,
    );
  }
});
