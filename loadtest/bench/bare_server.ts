// The limit: a bare Deno.serve handler that reads the body and answers 204. Whatever the
// collector does beyond this is its own cost.
const port = Number(Deno.env.get("BARE_PORT") ?? 8099);
Deno.serve(
  { hostname: "127.0.0.1", port, onListen: () => console.log(`bare server on ${port}`) },
  async (req) => {
    await req.arrayBuffer();
    return new Response(null, { status: 204 });
  },
);
