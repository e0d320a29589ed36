import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { kafkaLine, type KafkaRow } from "./kafka_line.ts";

const row = (session_id: string, event_id: string, url = "https://shop.test/") =>
  ({ site: "shop", session_id, event_id, url }) as unknown as KafkaRow;

Deno.test("kafkaLine() leaves out the empty fields of a row, and only those", () => {
  const items = [{ product_id: "p1", quantity: 0, price: 0 }];
  const line = kafkaLine(
    { ...row("s1", "a"), user_id: "", price: 0, quantity: 2, items, props: "", is_bot: 0 } as KafkaRow,
  );
  assertEquals(JSON.parse(line), {
    site: "shop",
    session_id: "s1",
    event_id: "a",
    url: "https://shop.test/",
    quantity: 2,
    // Inside an item nothing is left out.
    items,
  });
  assertEquals(
    JSON.parse(kafkaLine({ ...row("s1", "a"), items: [] } as unknown as KafkaRow)).items,
    undefined,
  );
});
