// A functions gateway over a scratch project the test writes, so gateway behaviour can be tested
// without the stack's functions or database.
import { spawnGateway } from "./gateway-process.ts";

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
  const removeRoot = () => Deno.remove(root, { recursive: true });
  const gateway = await spawnGateway(
    () => ({ root, jwks: { keys: [] }, jwtSecret: "scratch-legacy-secret", env: {}, wallClockMs: options.wallClockMs, memoryMb: 256,
      bootTimeoutMs: options.bootTimeoutMs }),
    { processEnv: options.env, startTimeoutMs: 30_000, anyAnswer: true },
  ).catch(async (error) => {
    await removeRoot();
    throw error;
  });
  return {
    url: gateway.url,
    async stop() {
      await gateway.stop();
      await removeRoot();
    },
  };
}
