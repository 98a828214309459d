// A functions gateway (scripts/gateway/main.ts) over a scratch project the test writes, on a free
// port, so gateway behaviour can be tested without the stack's functions or database.
import { fromFileUrl } from "@std/path/mod.js";
import { freePort } from "../../../../scripts/gateway/ports.ts";

const repoRoot = fromFileUrl(new URL("../../../../", import.meta.url));
export const probeFunction = Deno.readTextFileSync(new URL("./probe-function.ts", import.meta.url));

export interface ScratchGateway {
  url: string;
  stop(): Promise<void>;
}

/** Writes `files` (paths relative to the project root) and serves the project's functions. */
export async function startScratchGateway(options: {
  files: Record<string, string>;
  wallClockMs: number;
  bootTimeoutMs?: number;
  /** Set in the gateway's own environment. */
  env?: Record<string, string>;
}): Promise<ScratchGateway> {
  const root = await Deno.makeTempDir({ prefix: "gateway test " });
  for (const [path, content] of Object.entries(options.files)) {
    await Deno.mkdir(`${root}/${path}`.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, content);
  }
  const port = freePort();
  const config = { root, port, jwks: { keys: [] }, jwtSecret: "scratch-legacy-secret", env: {}, wallClockMs: options.wallClockMs, memoryMb: 256,
    bootTimeoutMs: options.bootTimeoutMs };
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", `--config=${repoRoot}supabase/functions/deno.json`, "--allow-all", `${repoRoot}scripts/gateway/main.ts`],
    env: { ...options.env, GATEWAY_CONFIG: JSON.stringify(config) },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await Deno.remove(root, { recursive: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await (await fetch(`${url}/_gateway/health`)).body?.cancel();
      return { url, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error("the scratch gateway did not start");
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
