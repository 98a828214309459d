// A function for the gateway tests: /sleep?ms= answers after a while, /stream never stops
// streaming, /background leaves endless work to EdgeRuntime.waitUntil, /bgwrite?ms=&file= leaves it
// work that writes a file after a while, /env shows its environment; every JSON answer carries the
// worker's process id.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const edgeRuntime = (globalThis as { EdgeRuntime?: { waitUntil(promise: Promise<unknown>): void } }).EdgeRuntime;

Deno.serve(async (req) => {
  const url = new URL(req.url);
  const action = url.pathname.split("/").pop();
  if (action === "sleep") await sleep(Number(url.searchParams.get("ms") ?? 0));
  if (action === "stream") {
    const ticks = new ReadableStream({
      async pull(controller) {
        await sleep(100);
        controller.enqueue(new TextEncoder().encode("tick\n"));
      },
    });
    return new Response(ticks);
  }
  if (action === "background") edgeRuntime?.waitUntil(new Promise(() => {}));
  if (action === "bgwrite") {
    const file = url.searchParams.get("file") ?? "";
    edgeRuntime?.waitUntil(sleep(Number(url.searchParams.get("ms") ?? 0)).then(() => Deno.writeTextFile(file, "done")));
  }
  if (action === "env") return Response.json({ pid: Deno.pid, env: Deno.env.toObject() });
  return Response.json({ pid: Deno.pid, waitUntil: typeof edgeRuntime?.waitUntil });
});
