// docker-compose.yml cannot be run here (no Docker engine), so it is checked against the code it
// deploys: pinned images at the versions the local scripts use, every environment variable one
// the config modules read (and valid for them), ports and healthchecks that match those settings,
// the same Kafka brokers and topics everywhere, in both the one-broker and three-broker setups.
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { parse } from "yaml";
import { collectorConfig, PUBLIC_IP_REQUESTS_PER_S } from "../collector/config.ts";
import { Sites } from "../collector/clients/sites.ts";
import { topicSetupFromEnv } from "../kafka/create_topics.ts";
import { kafkaVersion } from "../kafka/fetch.ts";
import { brokersFromEnv, topicsFromEnv } from "../contract/mod.ts";
import { parseCli } from "../loadtest/args.ts";
import { processorConfig } from "../processor/config.ts";
import { askEngine } from "./helpers/engine.ts";
import {
  assertEnvKnown,
  child,
  clusterEnvText,
  type Compose,
  composeText,
  denoServices,
  envFile,
  interpolate,
  kafkaNodes,
  listener,
  operatorVars,
  packageJson,
  parseXml,
  portOf,
  publishedTargets,
  readsOf,
  root,
  setups,
  sitesFile,
} from "./helpers/compose.ts";

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
    assertEquals(JSON.stringify(c.value.topics), topicNames, "collector topics as contract/topics.ts");

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
    assertEquals(p.value.role, "migrate", "processor-migrate only migrates");
    // Server mode's dashboard, console and alerts: the admin's panels, the reader's console.
    const served = s.services.processor;
    const sp = readsOf(processorConfig, served.environment);
    assertEnvKnown(s.name, "processor", served.environment!, sp.names);
    assertEquals(
      sp.value.clickhouseUrl?.href,
      p.value.clickhouseUrl.href,
      "the served processor reads that server",
    );
    assertEquals(sp.value.role, "serve", "the processor service serves the schema processor-migrate keeps");
    assertEquals(sp.value.clickhouseUser, p.value.clickhouseUser, "its own queries as the admin");
    assertEquals(
      [sp.value.clickhouseReaderUser, sp.value.clickhouseReaderPassword],
      ["reader", server.environment!.CLICKHOUSE_READER_PASSWORD],
      "the console's statements as the server's read-only reader",
    );
    assert(
      publishedTargets(served).includes(sp.value.port) &&
        (served.ports ?? []).every((port) => String(port).startsWith("127.0.0.1:")),
      "the dashboard is published on this machine only",
    );

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
        else if (source.startsWith("/")) await Deno.stat(source); // the operator's file (COLLECTOR_SITES)
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

Deno.test("the ClickHouse server consumes Kafka with the embedded engine's librdkafka and insert settings", () => {
  for (const s of setups) {
    const mounts = (s.services.clickhouse.volumes ?? []).map((m) => m.split(":"));
    for (
      const [file, dir] of [
        ["./processor/embedded_config.xml", "config.d"],
        ["./processor/embedded_users.d/insert_settings.xml", "users.d"],
      ]
    ) {
      assert(
        mounts.some(([source, target]) =>
          source === file && target.startsWith(`/etc/clickhouse-server/${dir}/`)
        ),
        `${s.name}: the server reads ${file} from ${dir}`,
      );
    }
  }
});

/** Names that hold secrets, or say what the operator must decide (which sites the collector accepts). */
const OPERATOR_SET = /PASSWORD|SECRET|TOKEN|_KEY$|^COLLECTOR_SITES$/;

Deno.test("compose refuses to start without each password and the sites file; none has a default", () => {
  for (const name of Object.keys(operatorVars)) {
    const { [name]: _, ...others } = operatorVars;
    let refused = "";
    try {
      interpolate(parse(composeText, { merge: true }), others);
    } catch (error) {
      refused = (error as Error).message;
    }
    assert(refused.startsWith(`required variable ${name} is missing a value: set ${name}`), refused);
  }
  const uses = [...composeText.matchAll(/\$\{([A-Z0-9_]+)([^}]*)\}/g)].filter(([, name]) =>
    OPERATOR_SET.test(name)
  );
  assert(uses.length >= Object.keys(operatorVars).length, "the secrets are variables");
  for (const [use, , modifier] of uses) {
    assert(modifier.startsWith(":?"), `${use} is required, with no default`);
  }
  // No literal secret anywhere: every such variable of every service comes from the operator.
  const raw = parse(composeText, { merge: true }) as Compose;
  for (const [service, svc] of Object.entries(raw.services)) {
    for (const [key, value] of Object.entries(svc.environment ?? {})) {
      if (OPERATOR_SET.test(key)) assert(/^\$\{[A-Z0-9_]+:\?/.test(value), `${service}: ${key} is a literal`);
    }
  }
  assert(
    !Object.keys(envFile(clusterEnvText)).some((k) => OPERATOR_SET.test(k)),
    "no secret in the env file",
  );
});

Deno.test("ClickHouse has an admin that migrates and a reader the server itself holds read-only", async () => {
  for (const s of setups) {
    const server = s.services.clickhouse;
    const mount = (server.volumes ?? []).map((m) => m.split(":")).find(([, target]) =>
      target.startsWith("/etc/clickhouse-server/users.d/")
    );
    assert(mount, `${s.name}: a users.d file is mounted`);
    const users = parseXml(await Deno.readTextFile(`${root}${mount[0]}`));
    assertEquals(users.name, "clickhouse");
    const [reader, ...others] = child(users, "users")!.children;
    assertEquals([reader.name, others.length], ["reader", 0], "the file defines one user");

    const profile = child(child(users, "profiles"), child(reader, "profile")!.text);
    assert(profile, `${s.name}: the reader's profile is defined beside it`);
    const setting = (name: string) => Number(child(profile, name)?.text);
    assertEquals(setting("readonly"), 1, "readonly = 1: no writes, DDL or setting changes");
    for (const limit of ["max_execution_time", "max_result_rows", "max_memory_usage", "max_rows_to_read"]) {
      assert(setting(limit) > 0, `${s.name}: the reader's ${limit} is limited`);
    }
    assertEquals(
      child(reader, "grants")?.children.map((q) => q.text),
      ["GRANT SELECT ON default.*"],
      "SELECT only (a file-defined user without <grants> has every grant)",
    );
    assertEquals(child(reader, "access_management"), undefined);

    const password = child(reader, "password")!;
    assertEquals([password.text, Object.keys(password.attrs)], ["", ["from_env"]], "no password in the file");
    assert(
      /^\$\{CLICKHOUSE_READER_PASSWORD:\?/.test(
        (parse(composeText) as Compose).services.clickhouse.environment![password.attrs.from_env],
      ),
      `${password.attrs.from_env} is passed to the server from a required variable`,
    );
    const admin = server.environment!;
    assert(
      !["default", "reader"].includes(admin.CLICKHOUSE_USER),
      `admin ${admin.CLICKHOUSE_USER} is its own user`,
    );
    assert(
      admin[password.attrs.from_env] !== admin.CLICKHOUSE_PASSWORD,
      "admin and reader have their own passwords",
    );
    const migrate = s.services["processor-migrate"].environment!;
    assertEquals(migrate.CLICKHOUSE_USER, admin.CLICKHOUSE_USER, "the processor migrates as the admin");
  }
});

Deno.test("the compose collector is not open, limits each client IP, and refuses to run open without its sites file", async () => {
  for (const s of setups) {
    const env = s.services.collector.environment!;
    const config = collectorConfig((name) => env[name]);
    assert(config.sitesFile, `${s.name}: the collector reads a sites file`);
    const mounted = (s.services.collector.volumes ?? []).map((m) => m.split(":"));
    const source = mounted.find(([, target]) => target === config.sitesFile)?.[0];
    assertEquals(source, sitesFile, "the sites file is the operator's COLLECTOR_SITES");
    assert(!(await Sites.load(source!)).open);
    assertEquals(config.client.ipRate?.perSecond, PUBLIC_IP_REQUESTS_PER_S, "a per-IP limit by default");
    assert(
      mounted.some(([, target]) => config.saltDir?.startsWith(`${target}/`)),
      "the day's salt is kept in a volume: a restarted collector hashes as before",
    );
    const { COLLECTOR_SITES_FILE: _, ...withoutSites } = env;
    throws(
      () => collectorConfig((name) => withoutSites[name]),
      /COLLECTOR_SITES_FILE is not set, and the collector is reachable from other machines \(COLLECTOR_HOST=0\.0\.0\.0\)/,
    );
  }
});

Deno.test("only the collector publishes a port beyond this machine", () => {
  for (const s of setups) {
    for (const [name, svc] of Object.entries(s.services)) {
      for (const port of svc.ports ?? []) {
        if (name === "collector") continue;
        assert(port.startsWith("127.0.0.1:"), `${s.name}: ${name} publishes ${port} on every interface`);
      }
    }
    assertEquals(s.services.collector.ports, ["8080:8080"], "the collector is the public surface");
  }
});
