// The collector's HTTP app. The handler only calls the stages in order; everything that varies
// (where events go, what time it is, limits) is passed in, so tests run it without a port.
import { Hono } from "hono";
import { decode } from "./decode.ts";
import { enrich } from "./enrich.ts";
import { CollectorError, errorResponse } from "./errors.ts";
import { publish } from "./publish.ts";
import { readBody } from "./read_body.ts";
import type { Sink } from "./sink.ts";
import { validate } from "./validate.ts";
import { sdkRoutes } from "../sdk/serve.ts";

export type AppOptions = {
  sink: Sink;
  topic: string;
  clock?: () => number;
  limits?: { maxBodyBytes?: number };
};

export function createApp({ sink, topic, clock = Date.now, limits = {} }: AppOptions) {
  const maxBodyBytes = limits.maxBodyBytes ?? 512 * 1024;
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof CollectorError) return errorResponse(c, error);
    console.error("collector: unexpected error", error);
    return c.json(
      { error: { code: "internal", message: "Unexpected error; the batch was not stored" } },
      500,
    );
  });

  app.get("/health", (c) => c.json({ status: "ok" }));
  // The browser SDK (GET /sdk.js) and the demo storefront (GET /demo/), see sdk/serve.ts.
  app.route("/", sdkRoutes());

  app.post("/v1/batch", async (c) => {
    const receivedAt = clock();
    const text = await readBody(c, { maxBodyBytes });
    const batch = validate(decode(text));
    const rows = enrich(batch.events, { site: batch.site, sentAt: batch.sentAt, receivedAt });
    const accepted = await publish(sink, topic, rows);
    return c.json({ accepted }, 202);
  });

  return app;
}
