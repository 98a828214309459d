// A functions gateway of the benchmark's own, serving the project's functions on a scratch database
// (the stack's gateway serves the stack's `postgres` database), with the stack's keys.
import { spawn } from "node:child_process";
import path from "node:path";
import { dbUrl, ROOT } from "../../scripts/lib/config.mjs";
import { DENO_CONFIG, denoEnv, denoPath } from "../../scripts/lib/deno.mjs";
import { functionEnv } from "../../scripts/lib/gateway.mjs";
import { freePort } from "../../scripts/lib/ports.mjs";

/** Starts scripts/gateway for `database` on a free port; resolves once it answers its health check. */
export async function startGateway({ keys, database, env: extra = {} }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...functionEnv(keys), SUPABASE_URL: url, SUPABASE_DB_URL: dbUrl(database), ...extra };
  const config = { root: ROOT, port, jwks: keys.jwks, jwtSecret: keys.jwtSecret, env, wallClockMs: 150_000, memoryMb: 256 };
  const child = spawn(denoPath(), ["run", `--config=${DENO_CONFIG}`, "--allow-all",
    path.join(ROOT, "scripts/gateway/main.ts")], { env: { ...denoEnv(), GATEWAY_CONFIG: JSON.stringify(config) }, stdio: process.env.BENCH_GATEWAY_LOG ? ["ignore", "inherit", "inherit"] : "ignore" });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/_gateway/health`)).ok) break;
    } catch {
      // starting
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, child, stop: () => new Promise((resolve) => { child.once("exit", resolve); child.kill("SIGTERM"); }) };
}
