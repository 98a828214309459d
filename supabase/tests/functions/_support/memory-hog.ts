// A function for the gateway's memory test: each request holds `mb` more megabytes outside the V8
// heap (array buffers, touched so they are resident), then answers after `hold_ms`.
const held: Uint8Array[] = [];

Deno.serve(async (req) => {
  const query = new URL(req.url).searchParams;
  for (let i = 0; i < Number(query.get("mb") ?? 0); i++) held.push(new Uint8Array(1024 * 1024).fill(1));
  await new Promise((resolve) => setTimeout(resolve, Number(query.get("hold_ms") ?? 0)));
  return new Response(String(held.length));
});
