// The gateway's wall clock covers a whole invocation, streamed body and background work included,
// and cuts off only the request that ran out of it: the others in the same worker finish, their
// background work too. A function that cannot boot, or whose boot hangs, is answered 503 boot_error.
import { assert, assertEquals, assertRejects } from "@std/assert/mod.js";
import { probeFunction, startScratchGateway } from "./_support/scratch-gateway.ts";

const WALL_CLOCK_MS = 2000;
const BOOT_TIMEOUT_MS = 1500;
const config = ["stream", "drain", "retired", "background", "broken", "hangs"].map((name) => `[functions.${name}]\nverify_jwt = false\n`).join("");

const json = async (response: Response) => [response.status, await response.json()] as const;

Deno.test("gateway: wall-clock limit and boot errors", async (t) => {
  const gateway = await startScratchGateway({
    wallClockMs: WALL_CLOCK_MS,
    bootTimeoutMs: BOOT_TIMEOUT_MS,
    files: {
      "supabase/config.toml": config,
      "supabase/functions/deno.json": `{ "lock": false }`,
      "supabase/functions/stream/index.ts": probeFunction,
      "supabase/functions/drain/index.ts": probeFunction,
      "supabase/functions/retired/index.ts": probeFunction,
      "supabase/functions/hangs/index.ts": "await new Promise(() => setInterval(() => {}, 1000));\nDeno.serve(() => new Response('x'));\n",
      "supabase/functions/background/index.ts": probeFunction,
      "supabase/functions/broken/index.ts": "Deno.serve(() => new Response('x'",
    },
  });
  const call = (path: string) => fetch(`${gateway.url}/functions/v1/${path}`);
  try {
    await t.step("a streamed body is cut off at the limit", async () => {
      const response = await call("stream/stream");
      assertEquals(response.status, 200);
      const started = Date.now();
      await assertRejects(() => response.text());
      const streamed = Date.now() - started;
      assert(streamed < WALL_CLOCK_MS + 1000, `the body ended with the limit (after ${streamed} ms)`);
    });

    await t.step("only the request out of wall clock fails; the others in its worker finish", async () => {
      const { pid } = await (await call("drain/sleep?ms=0")).json();
      const late = call(`drain/sleep?ms=${WALL_CLOCK_MS * 5}`);
      await new Promise((resolve) => setTimeout(resolve, WALL_CLOCK_MS / 2));
      // Started before the other runs out, answered after it did, within its own limit.
      const inFlight = call(`drain/sleep?ms=${WALL_CLOCK_MS * 0.75}`);
      const [lateStatus, lateBody] = await json(await late);
      assertEquals([lateStatus, lateBody.code], [504, "wall_clock_limit"]);
      assertEquals(await json(await inFlight), [200, { pid, waitUntil: "function" }], "the other request is answered by the same worker");
      const next = await (await call("drain/sleep?ms=0")).json();
      assert(next.pid !== pid, "new requests go to a fresh worker");
    });

    await t.step("a retired worker ends once the background work of its other invocations is done", async () => {
      const written = await Deno.makeTempFile();
      await Deno.remove(written);
      const late = call(`retired/sleep?ms=${WALL_CLOCK_MS * 5}`);
      await new Promise((resolve) => setTimeout(resolve, WALL_CLOCK_MS / 2));
      // Its background work ends after the other request is cut off (at WALL_CLOCK_MS), and a
      // quarter of the limit before its own: work as long as the limit raced the limit's timer.
      await (await call(`retired/bgwrite?ms=${WALL_CLOCK_MS * 0.75}&file=${encodeURIComponent(written)}`)).body?.cancel();
      assertEquals((await json(await late))[0], 504);
      await new Promise((resolve) => setTimeout(resolve, WALL_CLOCK_MS));
      assertEquals(await Deno.readTextFile(written), "done", "the background work ran to its end");
      await Deno.remove(written);
    });

    await t.step("background work is stopped at the limit, and a request caught in it says why", async () => {
      const { pid } = await (await call("background/background")).json();
      await new Promise((resolve) => setTimeout(resolve, WALL_CLOCK_MS / 2));
      // Still running when the background work hits the limit, well within its own.
      const [status, body] = await json(await call(`background/sleep?ms=${WALL_CLOCK_MS * 0.75}`));
      assertEquals([status, body.code], [546, "worker_limit"]);
      assert(body.message.includes("background work"), body.message);
      const next = await (await call("background/sleep?ms=0")).json();
      assert(next.pid !== pid, "a fresh worker serves the next request");
    });

    await t.step("a function that cannot boot answers 503 boot_error at once, with CORS", async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = Date.now();
        const response = await call("broken");
        assertEquals(response.headers.get("access-control-allow-origin"), "*");
        assertEquals(await json(response), [503, { code: "boot_error", message: "Worker failed to boot; see the functions log", details: null }]);
        assert(Date.now() - started < 3000, `answered in ${Date.now() - started} ms`);
      }
      const health = await (await fetch(`${gateway.url}/_gateway/health`)).json();
      assertEquals(health.functions.broken, "boot_error");
    });

    await t.step("a function whose boot hangs answers 503 boot_error after the boot timeout, not never", async () => {
      const started = Date.now();
      const [status, body] = await json(await call("hangs"));
      assertEquals([status, body.code], [503, "boot_error"]);
      const waited = Date.now() - started;
      assert(waited < BOOT_TIMEOUT_MS + 1500, `answered after ${waited} ms`);
    });
  } finally {
    await gateway.stop();
  }
});
