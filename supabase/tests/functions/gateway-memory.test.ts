// The gateway's memory limit covers the whole worker process, as the hosted limit covers the whole
// isolate: memory held outside the V8 heap, which --max-old-space-size does not bound, stops the
// worker too; one within the limit keeps serving.
import { assert, assertEquals, assertRejects } from "@std/assert/mod.js";
import { FunctionWorker } from "../../../scripts/gateway/worker.ts";

Deno.test("gateway: a worker resident beyond its memory limit is stopped, and started again", async () => {
  const worker = new FunctionWorker({
    name: "memory-hog",
    entrypoint: new URL("./_support/memory-hog.ts", import.meta.url).pathname,
    importMap: new URL("../../../deno.json", import.meta.url).pathname,
    memoryMb: 160,
    env: {},
  });
  worker.start();
  try {
    await worker.ready();
    const within = await fetch(`${worker.origin}/?mb=32`);
    assertEquals([within.status, await within.text()], [200, "32"], "memory within the limit is served");
    assertEquals(await worker.exitsWithin(300), false, "and the worker keeps running");

    // 200 MB of array buffers: outside the 160 MB heap cap, so V8 itself never refuses them.
    await assertRejects(() => fetch(`${worker.origin}/?mb=200&hold_ms=5000`).then((r) => r.text()));
    assert(await worker.exitsWithin(1000), "the worker was stopped while it held the memory");

    await worker.ready();
    const again = await fetch(`${worker.origin}/`);
    assertEquals([again.status, await again.text()], [200, "0"], "a fresh worker serves the next request");
  } finally {
    worker.stop();
  }
});
