// The processor's admin routes, for tasks that write, which the read-only SQL endpoint cannot:
//   POST /admin/erase {"site": "...", "user": "..."}   a shopper's erasure (erase.ts)
// Authorised by the admin token (config.ts `adminToken`: `Authorization: Bearer <token>`), never by
// an SQL user's password, and run on the engine's own writable user (EmbeddedEngine.admin()).
import { Hono } from "hono";
import { sameKey } from "../collector/clients/sites.ts";
import type { Engine } from "./engine/engine.ts";
import { eraseShopper, type ErasureRequest, invalidRequest } from "./erase.ts";

export function adminRoutes({ engine, token }: { engine: Engine; token: string }): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    const given = (c.req.header("Authorization") ?? "").replace(/^Bearer\s+/i, "");
    if (!sameKey(given, token)) {
      return c.json({
        error: "unauthorized",
        message:
          "Cannot run an admin task: send the processor's admin token as 'Authorization: Bearer <token>' " +
          "(ADMIN_TOKEN, or the file ADMIN_TOKEN_FILE names)",
      }, 401);
    }
    await next();
  });
  // One erasure at a time: each pauses ingest and recounts days.
  let running: Promise<unknown> = Promise.resolve();
  app.post("/erase", async (c) => {
    const body = await c.req.json().catch(() => undefined) as Partial<ErasureRequest> | undefined;
    const invalid = body === undefined
      ? 'the body must be JSON: {"site": ..., "user": ...}'
      : invalidRequest(body);
    if (invalid) return c.json({ error: "bad_request", message: `Cannot erase: ${invalid}` }, 400);
    const erasure = running.then(() => eraseShopper(engine, body as ErasureRequest));
    running = erasure.catch(() => {});
    try {
      return c.json(await erasure);
    } catch (error) {
      return c.json({ error: "erase_failed", message: (error as Error).message }, 500);
    }
  });
  return app;
}
