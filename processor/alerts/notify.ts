// Where alert transitions go: the alerts Kafka topic (always), keyed by alert id, and a webhook
// (optional) that gets each transition as a JSON POST. A failed delivery is logged and retried
// with the next transition batch, never dropped silently.
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import type { Alert } from "./evaluate.ts";

export interface Notifier {
  readonly name: string;
  send(alerts: readonly Alert[]): Promise<void>;
  close?(): Promise<void>;
}

export class KafkaNotifier implements Notifier {
  readonly name = "kafka";
  #producer: Producer<string, string, string, string>;

  constructor(readonly o: { brokers: string[]; topic: string }) {
    this.#producer = new Producer({
      clientId: "shoptrail-processor-alerts",
      bootstrapBrokers: o.brokers,
      serializers: stringSerializers,
      acks: ProduceAcks.ALL,
      timeout: 5000,
      retries: 2,
    });
  }

  async send(alerts: readonly Alert[]): Promise<void> {
    await this.#producer.send({
      messages: alerts.map((a) => ({ topic: this.o.topic, key: a.alert_id, value: JSON.stringify(a) })),
    });
  }

  async close(): Promise<void> {
    await this.#producer.close().catch(() => {});
  }
}

export class WebhookNotifier implements Notifier {
  readonly name = "webhook";
  /** The webhook as errors and logs name it: receivers keep the token in the path, query or user info. */
  readonly #origin: string;
  constructor(readonly o: { url: string; timeoutMs: number; fetch?: typeof fetch }) {
    this.#origin = originOf(o.url);
  }

  async send(alerts: readonly Alert[]): Promise<void> {
    for (const alert of alerts) {
      let response: Response;
      try {
        response = await (this.o.fetch ?? fetch)(this.o.url, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(alert),
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
      } catch (error) {
        throw new Error(`webhook ${this.#origin} failed for ${alert.alert_id}: ${this.#reason(error)}`);
      }
      await response.body?.cancel();
      if (!response.ok) {
        throw new Error(`webhook ${this.#origin} answered ${response.status} for ${alert.alert_id}`);
      }
    }
  }

  /** Why a fetch failed (Deno keeps it in the cause, with the full URL), every URL in it cut to the origin. */
  #reason(error: unknown): string {
    const { message, cause } = error as Error;
    const detail = cause instanceof Error ? `${message}: ${cause.message}` : message;
    return detail.replace(/[a-z][\w+.-]*:\/\/[^\s)]*/gi, this.#origin);
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    // URL's own error quotes the text, and the text may hold the token.
    throw new Error(
      "The alert webhook URL (ALERTS_WEBHOOK_URL, or webhook.url in the rules file) is not a valid URL " +
        "(its text is left out: it may hold a token)",
    );
  }
}
