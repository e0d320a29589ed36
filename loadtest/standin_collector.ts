// A stand-in for the collector, for trying the load tools without the pipeline: it validates each
// batch and event against the contract and answers 202 `{accepted}` like the real one, or 400
// with the first problem. It measures nothing about Shoptrail itself.
//
//   deno run -A loadtest/standin_collector.ts --port 8098
import { parseArgs } from "node:util";
import { Batch, Event } from "../contract/mod.ts";

export async function handle(request: Request): Promise<Response> {
  if (request.method !== "POST" || new URL(request.url).pathname !== "/v1/batch") {
    return new Response(null, { status: 404 });
  }
  const batch = Batch.safeParse(await request.json().catch(() => undefined));
  if (!batch.success) {
    return Response.json({ error: { code: "invalid_payload", message: batch.error.message } }, {
      status: 400,
    });
  }
  const accepted = batch.data.events.filter((e) => Event.safeParse(e).success).length;
  return Response.json({ accepted }, { status: 202 });
}

if (import.meta.main) {
  const { port } =
    parseArgs({ args: Deno.args, options: { port: { type: "string", default: "8098" } } }).values;
  Deno.serve({ port: Number(port), hostname: "127.0.0.1" }, handle);
}
