// The local functions gateway of the docker-free stack, doing what the Supabase gateway does:
// every enabled function (functions.ts) is served at /functions/v1/<name>, each in its own Deno
// process with the hosted memory limit, behind a wall-clock limit covering the whole invocation,
// response body included, and, where config.toml says verify_jwt = true, JWT verification (ES256
// via the JWKS first, the legacy HS256 secret as fallback, as the CLI's gateway does). The JWKS is
// also served at /auth/v1/.well-known/jwks.json.
import type { JSONWebKeySet } from "jose";
import { takeGatewayConfig } from "./config.ts";
import { startDeadline, streamUntil } from "./deadline.ts";
import { type FunctionSpec, functionsEnvFile, readFunctions } from "./functions.ts";
import { createJwtVerifier } from "./jwt.ts";
import { BootError, FunctionWorker } from "./worker.ts";

const config = takeGatewayConfig();

interface ServedFunction {
  spec: FunctionSpec;
  worker: FunctionWorker;
}

const served = new Map<string, ServedFunction>();
const envFile = functionsEnvFile(config.root);
for (const spec of readFunctions(config.root)) {
  if (!spec.enabled) {
    console.log(`[gateway] skipped ${spec.name}: enabled = false in supabase/config.toml`);
    continue;
  }
  const worker = new FunctionWorker({
    name: spec.name,
    entrypoint: spec.entrypoint,
    importMap: spec.importMap,
    memoryMb: config.memoryMb,
    wallClockMs: config.wallClockMs,
    bootTimeoutMs: config.bootTimeoutMs,
    envFile,
    env: { ...config.env, SUPABASE_FUNCTION_SLUG: spec.name },
  });
  served.set(spec.name, { spec, worker });
}

const verifyJwt = createJwtVerifier(config.jwks as JSONWebKeySet, config.jwtSecret);

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type",
};

const gatewayError = (status: number, code: string, message: string) =>
  Response.json({ code, message, details: null }, { status, headers: CORS });

const wallClockError = () => gatewayError(504, "wall_clock_limit", `The function ran longer than ${config.wallClockMs} ms`);

/** `path` is the function's own path and query, as the function sees them. */
async function proxy(req: Request, { spec, worker }: ServedFunction, path: string): Promise<Response> {
  if (spec.verifyJwt && req.method !== "OPTIONS") {
    const token = req.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
    if (!token || !(await verifyJwt(token))) return gatewayError(401, "invalid_jwt", "Invalid or missing JWT");
  }
  let lease;
  try {
    lease = await worker.acquire();
  } catch (error) {
    if (error instanceof BootError) return gatewayError(503, "boot_error", "Worker failed to boot; see the functions log");
    throw error;
  }
  const deadline = startDeadline(config.wallClockMs);
  // Only this request is cut off; the process it ran in may still run its handler, so it takes no
  // new requests and ends once the others it holds are done.
  deadline.signal.addEventListener("abort", () => {
    console.error(`[gateway] ${spec.name}: a request reached the ${config.wallClockMs} ms wall-clock limit; retiring its worker`);
    lease.retire();
  });
  const end = () => {
    deadline.clear();
    lease.release();
  };
  try {
    const response = await fetch(`${lease.origin}${path}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: "manual",
      signal: deadline.signal,
      // @ts-ignore: Deno streams request bodies with duplex half, as the Fetch spec asks.
      duplex: "half",
    });
    if (!response.body) {
      end();
      return response;
    }
    const { status, statusText, headers } = response;
    return new Response(streamUntil(response.body, deadline.signal, end), { status, statusText, headers });
  } catch (error) {
    end();
    if (deadline.signal.aborted) return wallClockError();
    // A worker stopped by a limit (or a crash) fails the request a moment before its exit is seen.
    const exit = await lease.exitWithin(250);
    if (exit !== null) return gatewayError(546, "worker_limit", `The function's worker ${exit}; see the functions log`);
    console.error(`[gateway] ${spec.name}: ${error}`);
    return gatewayError(502, "bad_gateway", "The function did not answer");
  }
}

const FUNCTION_PATH = /^\/functions\/v1\/([^/]+)(\/.*)?$/;

async function route(req: Request): Promise<Response> {
  const { pathname, search } = new URL(req.url);
  if (pathname === "/auth/v1/.well-known/jwks.json") return Response.json(config.jwks, { headers: CORS });
  if (pathname === "/_gateway/health") {
    const states = [...served.values()].map(({ worker }) => [worker.name, worker.state] as const);
    const ok = states.every(([, state]) => state === "ready");
    return Response.json({ ok, functions: Object.fromEntries(states) }, { status: ok ? 200 : 503 });
  }
  const [, name = "", rest = ""] = pathname.match(FUNCTION_PATH) ?? [];
  // Every served name follows the CLI's pattern (functions.ts), so any other name misses.
  const fn = served.get(name);
  if (!fn) return gatewayError(404, "not_found", name ? `No function named ${name}` : "Not found");
  return await proxy(req, fn, `/${name}${rest}${search}`);
}

for (const { worker } of served.values()) worker.start();
Deno.addSignalListener("SIGTERM", () => {
  for (const { worker } of served.values()) worker.stop();
  Deno.exit(0);
});
Deno.serve({ hostname: "127.0.0.1", port: config.port, onListen: () => {} }, route);
console.log(`[gateway] listening on http://127.0.0.1:${config.port} with ${[...served.keys()].join(", ")}`);
