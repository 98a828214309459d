// The gateway serves functions as config.toml and the supabase CLI say (enabled, entrypoint,
// import_map, the CLI's function names, supabase/functions/.env), and starts them in a clean environment: nothing of the
// gateway's own (GATEWAY_CONFIG with the legacy JWT secret, the developer's shell) reaches them,
// while npm: imports still resolve.
import { assert, assertEquals } from "@std/assert/mod.js";
import { fromFileUrl } from "@std/path/mod.js";
import { FunctionWorker } from "../../../scripts/gateway/worker.ts";
import { probeFunction, startScratchGateway } from "./_support/scratch-gateway.ts";

const open = (name: string, extra = "") => `[functions.${name}]\nverify_jwt = false\n${extra}`;

const files = {
  "supabase/config.toml": [
    open("probe"),
    open("Upper"),
    open("off", "enabled = false\n"),
    open("relocated", `entrypoint = "./elsewhere/main.ts"\nimport_map = "./elsewhere/imports.json"\n`),
  ].join(""),
  "supabase/functions/deno.json": `{ "lock": false }`,
  "supabase/functions/.env": "FROM_ENV_FILE=yes\nSUPABASE_FUNCTION_SLUG=forged\n",
  "supabase/functions/probe/index.ts": probeFunction,
  "supabase/functions/Upper/index.ts": probeFunction,
  "supabase/functions/off/index.ts": probeFunction,
  "supabase/functions/9lives/index.ts": probeFunction,
  "supabase/elsewhere/main.ts": `import { greeting } from "greeting";\nDeno.serve(() => new Response(greeting));\n`,
  "supabase/elsewhere/imports.json": `{ "imports": { "greeting": "./greeting.ts" } }`,
  "supabase/elsewhere/greeting.ts": `export const greeting = "from the configured entrypoint";\n`,
};

Deno.test("gateway: functions as config.toml declares them, in a clean environment", async (t) => {
  const gateway = await startScratchGateway({ wallClockMs: 10_000, files, env: {
    GATEWAY_TEST_MARKER: "from the gateway's shell",
    // The extra CA file a TLS-inspecting proxy needs; only its name is passed on here.
    NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/extra-ca-for-the-registry.pem",
  } });
  const call = (path: string) => fetch(`${gateway.url}/functions/v1/${path}`);
  const status = async (path: string) => {
    const response = await call(path);
    await response.body?.cancel();
    return response.status;
  };
  try {
    await t.step("a function sees its own environment, not the gateway's", async () => {
      const { env } = await (await call("probe/env")).json();
      assertEquals(env.SUPABASE_FUNCTION_SLUG, "probe");
      for (const name of ["GATEWAY_CONFIG", "GATEWAY_TEST_MARKER", "EDGE_RUNTIME_WALL_CLOCK_MS"]) {
        assertEquals(env[name], undefined, `${name} is not visible`);
      }
    });
    await t.step("the machine's extra CA certificates reach the function, so npm: imports and fetch trust its proxy", async () => {
      const { env } = await (await call("probe/env")).json();
      assertEquals(env.NODE_EXTRA_CA_CERTS, "/etc/ssl/certs/extra-ca-for-the-registry.pem");
    });
    await t.step("supabase/functions/.env adds variables, never over the ones the gateway gives", async () => {
      const { env } = await (await call("probe/env")).json();
      assertEquals([env.FROM_ENV_FILE, env.SUPABASE_FUNCTION_SLUG], ["yes", "probe"]);
    });
    await t.step("enabled = false is not served", async () => {
      assertEquals(await status("off"), 404);
    });
    await t.step("entrypoint and import_map are read relative to supabase/", async () => {
      const response = await call("relocated");
      assertEquals([response.status, await response.text()], [200, "from the configured entrypoint"]);
    });
    await t.step("function names follow the CLI: a leading capital is served, a leading digit is not", async () => {
      assertEquals(await status("Upper/sleep"), 200);
      assertEquals(await status("9lives"), 404);
    });
  } finally {
    await gateway.stop();
  }
});

Deno.test("gateway: a worker in a clean environment still resolves npm: imports", async () => {
  Deno.env.set("GATEWAY_TEST_MARKER", "from the gateway's shell");
  const worker = new FunctionWorker({
    name: "npm-probe",
    entrypoint: fromFileUrl(new URL("./_support/npm-probe.ts", import.meta.url)),
    importMap: fromFileUrl(new URL("../../../deno.json", import.meta.url)),
    memoryMb: 256,
    env: {},
  });
  worker.start();
  try {
    await worker.ready();
    const response = await fetch(worker.origin);
    assertEquals([response.status, await response.text()], [200, "npm resolved"]);
    assert(worker.state === "ready");
  } finally {
    worker.stop();
    Deno.env.delete("GATEWAY_TEST_MARKER");
  }
});
