// An ingest-error spike: lines that are not JSON, produced straight to the events topic (the collector
// would refuse them), so the processor's ingest_errors alert has something to fire on.
import { Producer, stringSerializers } from "@platformatic/kafka";
import { topicsFromEnv } from "../../contract/mod.ts";
import type { TestPipeline } from "../../stack/testing.ts";

export async function produceNotJson(p: TestPipeline, count: number, clientId: string): Promise<void> {
  const topics = topicsFromEnv((name) => p.env[name]);
  const producer = new Producer({
    clientId,
    bootstrapBrokers: [p.kafkaBootstrap],
    serializers: stringSerializers,
  });
  try {
    await producer.send({
      messages: Array.from(
        { length: count },
        (_, i) => ({ topic: topics.events.name, value: `not json ${i}` }),
      ),
    });
  } finally {
    await producer.close();
  }
}
