// The Kafka line format: what a message of the events topic holds. Each valid event becomes one
// flat row whose keys are the columns of ClickHouse's `kafka_events` (toKafkaRow), written as one
// JSON line without its empty fields (kafkaLine); a message holds one or more such lines, up to
// MAX_MESSAGE_CHARS (ClickHouse splits a message into its lines, clickhouse/018_kafka.sql). The collector's
// publish stage joins a session's lines, its Kafka sink joins a partition's: both with joinLines.
import type { Event, OrderItem } from "./event.ts";

/** What the collector adds to each valid event before publishing. */
export type Enrichment = {
  site: string;
  received_at: number;
  event_time: number;
  /** From the User-Agent header: browser family, OS family, device type ("desktop", "mobile", ...). */
  browser: string;
  os: string;
  device_type: string;
  /** 1 when the User-Agent is a known crawler or automation tool (sites may drop these instead). */
  is_bot: number;
  /** Truncated client IP hashed with a salt that rotates daily; never the IP itself. */
  ip_hash: string;
  /** ISO 3166 alpha-2 code from the edge's country header, "" when absent. */
  country: string;
  /**
   * A page view's product, read from its URL by the site's `product_url_patterns`
   * (product_url.ts): the product view of a shop that cannot send `product_view` events.
   */
  product_id?: string;
};

/**
 * One event's row on the events topic (a line of a message): a flat object whose keys are exactly
 * the columns of the `kafka_events` table. Optional contract fields become empty strings or zeros,
 * which kafkaLine leaves out of the line: ClickHouse reads a missing field as that same default.
 * Columns shared by types: a product view fills the product columns as a cart event does (its
 * quantity stays 0); a page view carries a product_id only from its site's URL patterns; a
 * begin_checkout's `value` goes in `revenue` and its items in `items`, like a purchase's, so every
 * reader of those columns must filter on `type` (they all do: order money is `type = 'purchase'`).
 */
export type KafkaRow = ReturnType<typeof toKafkaRow>;

export function toKafkaRow(event: Event, enrichment: Enrichment) {
  const cart = event.type === "add_to_cart" || event.type === "remove_from_cart" ? event : undefined;
  const product = cart ?? (event.type === "product_view" ? event : undefined);
  const checkout = event.type === "begin_checkout" ? event : undefined;
  const purchase = event.type === "purchase" ? event : undefined;
  return {
    event_id: event.event_id,
    type: event.type,
    site: enrichment.site,
    ts: event.ts,
    event_time: enrichment.event_time,
    received_at: enrichment.received_at,
    anonymous_id: event.anonymous_id ?? "",
    session_id: event.session_id,
    user_id: event.user_id ?? "",
    url: event.url,
    referrer: event.referrer ?? "",
    title: event.title ?? "",
    viewport: event.viewport ?? "",
    language: event.language ?? "",
    utm_source: event.utm_source ?? "",
    utm_medium: event.utm_medium ?? "",
    utm_campaign: event.utm_campaign ?? "",
    utm_term: event.utm_term ?? "",
    utm_content: event.utm_content ?? "",
    product_id: product?.product_id ?? enrichment.product_id ?? "",
    product_name: product?.product_name ?? "",
    category: product?.category ?? "",
    price: product?.price ?? 0,
    quantity: cart?.quantity ?? 0,
    currency: product?.currency ?? purchase?.currency ?? checkout?.currency ?? "",
    order_id: purchase?.order_id ?? "",
    revenue: purchase?.revenue ?? checkout?.value ?? 0,
    items: itemsOf(purchase?.items ?? checkout?.items),
    props: event.props ? JSON.stringify(event.props) : "",
    browser: enrichment.browser,
    os: enrichment.os,
    device_type: enrichment.device_type,
    is_bot: enrichment.is_bot,
    ip_hash: enrichment.ip_hash,
    country: enrichment.country,
  };
}

/**
 * The contract's fields of each item and nothing else: a valid event reaches toKafkaRow as it was sent
 * (the collector checks it and does not copy it), so an item's other keys are still on it.
 */
function itemsOf(items: OrderItem[] | undefined): OrderItem[] {
  return items ? items.map(({ product_id, quantity, price }) => ({ product_id, quantity, price })) : [];
}

/**
 * A row as one JSON line without its empty fields ('', 0, []): ClickHouse's JSONExtract reads a
 * missing field as that same default, and it parses per byte. Measured on the bench's backlog
 * (loadtest/RESULTS.md, "Lines without empty fields"): lines of 636 characters became 361, and
 * their parse took ~1.2 µs of CPU instead of ~2.1.
 */
export function kafkaLine(row: KafkaRow): string {
  const line: Partial<Record<keyof KafkaRow, unknown>> = {};
  // for…in over a plain object, not Object.entries: no array of pairs per row (a third of the
  // collector's serialising time, measured under wrk).
  for (const field in row) {
    const value = row[field as keyof KafkaRow];
    if (value !== "" && value !== 0 && !(Array.isArray(value) && value.length === 0)) {
      line[field as keyof KafkaRow] = value;
    }
  }
  return JSON.stringify(line);
}

/** JSON characters per Kafka message: at most 768 KB of UTF-8. An event over it alone goes alone. */
export const MAX_MESSAGE_CHARS = 256 * 1024;

/** The event rows of an events-topic message, as sent: empty fields left out (kafkaLine). */
export function rowsOf(value: string): Partial<KafkaRow>[] {
  return value.split("\n").map((line) => JSON.parse(line));
}

/** How joinLines groups items into messages. */
export type LineJoin<T, M extends { value: string }> = {
  /** The group whose lines may share a message; undefined: the item goes alone, as opened. */
  group(item: T): string | undefined;
  line(item: T): string;
  /** The message a group's first line (or the first that did not fit) starts. */
  open(item: T, line: string, group: string | undefined): M;
  /** Called on a message each time a line joins it. */
  joined?(message: M): void;
};

/**
 * Joins the lines of each group into as few messages as fit MAX_MESSAGE_CHARS, in order: a line
 * joins its group's last message while that has room, else opens the group's next one. Messages
 * come out in the order they were opened.
 */
export function joinLines<T, M extends { value: string }>(items: Iterable<T>, join: LineJoin<T, M>): M[] {
  const open = new Map<string, M>();
  const out: M[] = [];
  for (const item of items) {
    const group = join.group(item);
    const line = join.line(item);
    const current = group === undefined ? undefined : open.get(group);
    if (current && current.value.length + 1 + line.length <= MAX_MESSAGE_CHARS) {
      current.value += `\n${line}`;
      join.joined?.(current);
      continue;
    }
    const message = join.open(item, line, group);
    if (group !== undefined) open.set(group, message);
    out.push(message);
  }
  return out;
}
