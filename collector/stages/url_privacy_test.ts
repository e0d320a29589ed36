import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { batch, event, post, testApp } from "../fixtures.ts";
import { rowsOf } from "../../contract/mod.ts";
import { Sites } from "../clients/sites.ts";
import { privateUrl } from "./url_privacy.ts";

Deno.test("privateUrl() keeps the path, a hash route, utm_* and the allowed parameters, and nothing else", () => {
  const cases: [string, string[], string][] = [
    ["https://shop.test/reset?token=secret&email=a@b.c", [], "https://shop.test/reset"],
    [
      "https://shop.test/?utm_source=x&token=s&utm_medium=mail#access_token=y",
      [],
      "https://shop.test/?utm_source=x&utm_medium=mail",
    ],
    [
      "https://shop.test/p?sku=42&session=abc&q=red+shoes",
      ["sku", "q"],
      "https://shop.test/p?sku=42&q=red+shoes",
    ],
    ["https://shop.test/callback#code=oauth&state=1", [], "https://shop.test/callback"],
    ["https://user:pass@shop.test/a?b=1", [], "https://shop.test/a"],
    ["https://shop.test/a?%73ku=1&sk%75=2&sku", ["sku"], "https://shop.test/a?%73ku=1&sk%75=2&sku"],
    ["https://shop.test/a?utm%5Fsource=x&%E0=1", [], "https://shop.test/a?utm%5Fsource=x"],
    ["https://shop.test/a?", [], "https://shop.test/a"],
    ["/relative/path?token=1#frag", [], "/relative/path"],
    ["https://shop.test/products/p1", [], "https://shop.test/products/p1"],
    ["https://shop.test/a#?utm_source=x", [], "https://shop.test/a"],
    [
      "https://shop.test/#/products/1?token=s&sku=2&utm_medium=m",
      ["sku"],
      "https://shop.test/#/products/1?sku=2&utm_medium=m",
    ],
    ["https://shop.test/#!/cart", [], "https://shop.test/#!/cart"],
    ["https://shop.test/#/access_token=y&state=1", [], "https://shop.test/"],
    ["https://shop.test/#/callback&code=oauth", [], "https://shop.test/"],
    ["https://shop.test/?q=1#reset=tok", ["q"], "https://shop.test/?q=1"],
  ];
  for (const [url, keep, expected] of cases) assertEquals(privateUrl(url, keep), expected, url);
});

Deno.test("a page_view's token, e-mail and fragment never reach the sink; utm_source and keep_query do", async () => {
  const sites = Sites.parse({ sites: [{ id: "shop", keep_query: ["sku"] }] });
  const { app, sink } = testApp({ sites });
  const response = await post(
    app,
    batch([event("page_view", {
      url: "https://shop.test/p?token=secret&email=a@b.c&utm_source=x&sku=42#access_token=y",
      referrer: "https://mail.test/read?id=7&to=a@b.c#inbox",
      utm_source: "x",
    })]),
  );
  assertEquals(response.status, 202);
  const [row] = sink.messages.flatMap((m) => rowsOf(m.value));
  assertEquals(
    [row.url, row.referrer, row.utm_source],
    ["https://shop.test/p?utm_source=x&sku=42", "https://mail.test/read", "x"],
  );
  const published = sink.messages.map((m) => m.value).join("\n");
  for (const secret of ["secret", "a@b.c", "access_token", "inbox", "id=7"]) {
    ok(!published.includes(secret), `${secret} was published: ${published}`);
  }
});

Deno.test("a refused event's URLs reach the DLQ cut alike, with the rest of the event as sent", async () => {
  const { app, sink } = testApp();
  const refused = event("add_to_cart", {
    price: -1,
    url: "https://shop.test/p?token=secret&utm_source=x#access_token=y",
    referrer: "https://mail.test/read?to=a@b.c",
  });
  const response = await post(app, batch([refused, event("page_view", { url: 42 })]));
  assertEquals((await response.json()).rejected, 2);
  const [dlq, numeric] = sink.messages.map((m) => JSON.parse(m.value).event);
  assertEquals([dlq.url, dlq.referrer, dlq.price], [
    "https://shop.test/p?utm_source=x",
    "https://mail.test/read",
    -1,
  ]);
  assertEquals(numeric.url, 42, "what is not a string is kept as sent");
  ok(!sink.messages.some((m) => /secret|access_token|a@b\.c/.test(m.value)));
});
