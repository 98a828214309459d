// The local functions gateway of the docker-free stack, doing what the Supabase gateway does:
// every function under supabase/functions is served at /functions/v1/<name>, each in its own
// Deno process with the hosted memory limit, behind a wall-clock limit and, where config.toml
// says verify_jwt = true, JWT verification (ES256 via the JWKS first, the legacy HS256 secret as
// fallback, as the CLI's gateway does). The JWKS is also served at /auth/v1/.well-known/jwks.json.
import { parse as parseToml } from "@std/toml/mod.js";
import type { JSONWebKeySet } from "jose";
import { createJwtVerifier } from "./jwt.ts";
import { FunctionWorker } from "./worker.ts";

interface GatewayConfig {
  root: string;
  port: number;
  jwks: JSONWebKeySet;
  jwtSecret: string;
  env: Record<string, string>;
  wallClockMs: number;
  memoryMb: number;
}

const config: GatewayConfig = JSON.parse(Deno.env.get("GATEWAY_CONFIG") ?? "{}");
const functionsDir = `${config.root}/supabase/functions`;

interface FunctionSettings {
  verify_jwt?: boolean;
}

function readFunctionSettings(): Record<string, FunctionSettings> {
  const toml = parseToml(Deno.readTextFileSync(`${config.root}/supabase/config.toml`)) as {
    functions?: Record<string, FunctionSettings>;
  };
  return toml.functions ?? {};
}

function discoverFunctions(): string[] {
  return [...Deno.readDirSync(functionsDir)]
    .filter((entry) => entry.isDirectory && !entry.name.startsWith("_") && !entry.name.startsWith("."))
    .filter((entry) => {
      try {
        return Deno.statSync(`${functionsDir}/${entry.name}/index.ts`).isFile;
      } catch {
        return false;
      }
    })
    .map((entry) => entry.name)
    .sort();
}

/**
 * A port the system picks and nothing holds right now. Fixed ports next to the gateway's could be
 * the local end of some other program's connection (Linux hands out 32768-60999 for those).
 */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

const settings = readFunctionSettings();
const workers = new Map<string, FunctionWorker>();
discoverFunctions().forEach((name) => {
  workers.set(name, new FunctionWorker({
    name,
    entrypoint: `${functionsDir}/${name}/index.ts`,
    denoConfig: `${functionsDir}/deno.json`,
    port: freePort(),
    memoryMb: config.memoryMb,
    env: { ...config.env, SUPABASE_FUNCTION_SLUG: name },
  }));
});

const verifyJwt = createJwtVerifier(config.jwks, config.jwtSecret);

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type",
};

const gatewayError = (status: number, code: string, message: string) =>
  Response.json({ code, message, details: null }, { status, headers: CORS });

async function proxy(req: Request, name: string, path: string): Promise<Response> {
  const worker = workers.get(name);
  if (!worker) return gatewayError(404, "not_found", `No function named ${name}`);
  if (settings[name]?.verify_jwt !== false && req.method !== "OPTIONS") {
    const token = req.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
    if (!token || !(await verifyJwt(token))) return gatewayError(401, "invalid_jwt", "Invalid or missing JWT");
  }
  const url = new URL(req.url);
  const target = `${worker.origin}${path}${url.search}`;
  const signal = AbortSignal.timeout(config.wallClockMs);
  try {
    await worker.ready();
    return await fetch(target, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: "manual",
      signal,
      // @ts-ignore: Deno streams request bodies with duplex half, as the Fetch spec asks.
      duplex: "half",
    });
  } catch (error) {
    if (signal.aborted) {
      worker.restart();
      return gatewayError(504, "wall_clock_limit", `The function ran longer than ${config.wallClockMs} ms`);
    }
    // A worker stopped by its memory limit (or a crash) fails the request a moment before its exit is seen.
    if (await worker.exitsWithin(250)) {
      return gatewayError(546, "worker_limit", "The function stopped (memory limit or crash); see the functions log");
    }
    console.error(`[gateway] ${name}: ${error}`);
    return gatewayError(502, "bad_gateway", "The function did not answer");
  }
}

async function route(req: Request): Promise<Response> {
  const { pathname } = new URL(req.url);
  if (pathname === "/auth/v1/.well-known/jwks.json") return Response.json(config.jwks, { headers: CORS });
  if (pathname === "/_gateway/health") {
    const states = await Promise.all([...workers.values()].map(async (w) => [w.name, await w.healthy()] as const));
    const ok = states.every(([, healthy]) => healthy);
    return Response.json({ ok, functions: Object.fromEntries(states) }, { status: ok ? 200 : 503 });
  }
  const match = pathname.match(/^\/functions\/v1\/([a-z0-9][a-z0-9_-]*)(\/.*)?$/);
  if (!match) return gatewayError(404, "not_found", "Not found");
  const [, name, rest = ""] = match;
  return await proxy(req, name, `/${name}${rest}`);
}

for (const worker of workers.values()) worker.start();
Deno.addSignalListener("SIGTERM", () => {
  for (const worker of workers.values()) worker.stop();
  Deno.exit(0);
});
Deno.serve({ hostname: "127.0.0.1", port: config.port, onListen: () => {} }, route);
console.log(`[gateway] listening on http://127.0.0.1:${config.port} with ${[...workers.keys()].join(", ")}`);
