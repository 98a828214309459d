// A functions gateway process (scripts/gateway/main.ts, the one `npm start` runs) on a free port,
// for tests that need a gateway of their own: other limits, another project root.
import { fromFileUrl } from "@std/path/mod.js";
import { freePort } from "../../../../scripts/gateway/ports.ts";

export const repoRoot = fromFileUrl(new URL("../../../../", import.meta.url)).replace(/\/$/, "");

export interface GatewayProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The gateway's settings (GATEWAY_CONFIG) but its port, which is chosen here. */
export interface GatewaySettings {
  root: string;
  jwks: unknown;
  jwtSecret: string;
  env: Record<string, string>;
  wallClockMs: number;
  memoryMb: number;
  bootTimeoutMs?: number;
}

/**
 * Starts a gateway and returns once its health check answers (healthy, unless `anyAnswer`: a
 * project whose functions fail to boot never is), or stops it and throws after `startTimeoutMs`.
 * The settings are made for the gateway's URL (functions that call themselves need it);
 * `processEnv` is the environment of the gateway process itself.
 */
export async function spawnGateway(
  settingsFor: (url: string) => GatewaySettings,
  options: { processEnv?: Record<string, string>; startTimeoutMs: number; anyAnswer?: boolean },
): Promise<GatewayProcess> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", `--config=${repoRoot}/deno.json`, "--allow-all", `${repoRoot}/scripts/gateway/main.ts`],
    env: { ...options.processEnv, GATEWAY_CONFIG: JSON.stringify({ ...settingsFor(url), port }), NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
  };
  const deadline = Date.now() + options.startTimeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/_gateway/health`);
      await response.body?.cancel();
      if (response.ok || options.anyAnswer) return { url, pid: child.pid, stop };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the gateway on port ${port} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
