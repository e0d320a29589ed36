// Creates the topics of contract/topics.ts on an existing Kafka (a cluster in docker-compose, a managed
// service): waits until enough brokers are up for the replication factor, then creates what is
// missing. `deno run -A kafka/create_topics.ts`; the local scripts call ensureTopics directly.
import { ensureTopics, waitForBroker } from "./broker.ts";
import { brokersFromEnv, topicsFromEnv } from "../contract/mod.ts";
import { ConfigError, type Env, envInt, processEnv } from "../lib/env.ts";

export function topicSetupFromEnv(env: Env = processEnv) {
  const replicas = envInt(env, "KAFKA_REPLICATION_FACTOR", 1, { min: 1, max: 7 });
  const minInsyncReplicas = envInt(env, "KAFKA_MIN_INSYNC_REPLICAS", Math.max(1, replicas - 1), {
    min: 1,
    max: replicas,
  });
  return {
    brokers: brokersFromEnv(env),
    topics: Object.values(topicsFromEnv(env)),
    replicas,
    minInsyncReplicas,
  };
}

if (import.meta.main) {
  try {
    const setup = topicSetupFromEnv();
    const bootstrap = setup.brokers.join(",");
    await waitForBroker(bootstrap, {
      deadlineMs: 120_000,
      logFile: "the broker's own log",
      brokers: setup.replicas,
    });
    await ensureTopics(bootstrap, setup.topics, setup);
    console.log(
      `topics ready on ${bootstrap}: ${
        setup.topics.map((t) => `${t.name} (${t.partitions} partitions)`).join(", ")
      }, ` +
        `replication factor ${setup.replicas}, min.insync.replicas ${setup.minInsyncReplicas}`,
    );
  } catch (error) {
    console.error(
      `create_topics: ${error instanceof ConfigError ? error.message : (error as Error).message}`,
    );
    Deno.exit(1);
  }
}
