// Starts and stops the local functions gateway (scripts/gateway/main.ts) in the background, as
// `supabase start` runs its edge runtime.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { API_PORT, API_URL, dbUrl, LOCAL_DIR, ROOT } from "./config.mjs";
import { DENO_CONFIG, denoEnv, denoPath } from "./deno.mjs";
import { waitForPort } from "./ports.mjs";
import { StackError } from "./postgres.mjs";

const PID_FILE = path.join(LOCAL_DIR, "gateway.pid");
export const GATEWAY_LOG = path.join(LOCAL_DIR, "logs", "functions.log");
export const LOCAL_STORAGE_DIR = path.join(LOCAL_DIR, "storage");

// Hosted limits of a function invocation (free plan): 256 MB of memory, 150 s of wall clock.
export const FUNCTION_MEMORY_MB = Number(process.env.FUNCTION_MEMORY_MB ?? 256);
export const FUNCTION_WALL_CLOCK_MS = Number(process.env.FUNCTION_WALL_CLOCK_MS ?? 150_000);

/** The environment Supabase gives every function. */
export function functionEnv(keys) {
  return {
    SUPABASE_URL: API_URL,
    SUPABASE_DB_URL: dbUrl(),
    SUPABASE_JWKS: JSON.stringify(keys.jwks),
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    // The stack has no Storage server: a local folder stands in for it (supabase/functions/_shared/storage.ts).
    SUPABASE_LOCAL_STORAGE_DIR: LOCAL_STORAGE_DIR,
  };
}

function runningPid() {
  if (!fs.existsSync(PID_FILE)) return null;
  const pid = Number(fs.readFileSync(PID_FILE, "utf8"));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    fs.rmSync(PID_FILE, { force: true });
    return null;
  }
}

export const gatewayRunning = () => runningPid() !== null;

/**
 * Resolves once every function is ready; throws at once when one fails to boot or the gateway
 * itself ends (`exitOf` says how, once it has), else at the timeout.
 */
async function waitForHealth(timeoutMs, exitOf) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const exit = exitOf();
    if (exit) throw new StackError(`The functions gateway ${exit} while starting.\n${logTail()}`);
    try {
      const response = await fetch(`${API_URL}/_gateway/health`);
      if (response.ok) return;
      const health = await response.json();
      last = JSON.stringify(health.functions);
      const broken = Object.keys(health.functions).filter((name) => health.functions[name] === "boot_error");
      if (broken.length > 0) throw new StackError(`Functions failed to boot: ${broken.join(", ")}.\n${logTail()}`);
    } catch (error) {
      if (error instanceof StackError) throw error;
      last = String(error.cause ?? error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new StackError(`The functions gateway did not become ready within ${timeoutMs / 1000} s (${last}).\n${logTail()}`);
}

const logTail = () => (fs.existsSync(GATEWAY_LOG) ? fs.readFileSync(GATEWAY_LOG, "utf8").split("\n").slice(-20).join("\n") : "");

export async function startGateway(keys) {
  if (gatewayRunning()) return { started: false };
  const taken = await waitForPort(API_PORT, 10_000);
  if (taken) {
    throw new StackError(
      `Port ${API_PORT} on 127.0.0.1 ${taken}, so the functions gateway cannot start.\n` +
        `Free it, or choose another port with SUPABASE_API_PORT=<port>.`,
    );
  }
  fs.mkdirSync(path.dirname(GATEWAY_LOG), { recursive: true });
  const log = fs.openSync(GATEWAY_LOG, "a");
  const config = {
    root: ROOT,
    port: API_PORT,
    jwks: keys.jwks,
    jwtSecret: keys.jwtSecret,
    env: functionEnv(keys),
    wallClockMs: FUNCTION_WALL_CLOCK_MS,
    memoryMb: FUNCTION_MEMORY_MB,
  };
  const child = spawn(
    denoPath(),
    ["run", `--config=${DENO_CONFIG}`, "--allow-all",
      path.join(ROOT, "scripts", "gateway", "main.ts")],
    { detached: true, stdio: ["ignore", log, log], env: { ...denoEnv(), GATEWAY_CONFIG: JSON.stringify(config) } },
  );
  let exit = null;
  child.once("exit", (code, signal) => exit = signal ? `was stopped by ${signal}` : `exited with code ${code}`);
  child.unref();
  fs.writeFileSync(PID_FILE, String(child.pid));
  // The first start downloads the functions' npm dependencies into Deno's cache.
  try {
    await waitForHealth(Number(process.env.GATEWAY_START_TIMEOUT_MS ?? 300_000), () => exit);
  } catch (error) {
    // Not left running: the next `npm start` would take its pid file for a working gateway.
    stopGateway();
    throw error;
  }
  return { started: true };
}

export function stopGateway() {
  const pid = runningPid();
  if (pid === null) return { stopped: false };
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    process.kill(pid, "SIGTERM");
  }
  fs.rmSync(PID_FILE, { force: true });
  return { stopped: true };
}
