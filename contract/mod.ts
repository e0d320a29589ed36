// The contract between the stages, on the ground floor: it imports nothing of the project.
// event.ts: what a beacon may carry (zod); topics.ts: the Kafka topics; kafka_line.ts: what a
// message of the events topic holds; product_url.ts: product ids read from page URLs.
export * from "./event.ts";
export * from "./kafka_line.ts";
export * from "./topics.ts";
export * from "./product_url.ts";
