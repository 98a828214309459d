// Preloaded into every function worker: EdgeRuntime.waitUntil, as the edge runtime provides it.
// Background work handed to it keeps running after the response, but no longer than the wall-clock
// limit: past it the worker is stopped, as the edge runtime stops an isolate at its wall clock
// (the gateway recognises the exit code and says so to requests still in that worker).
import { BACKGROUND_LIMIT_EXIT_CODE, WALL_CLOCK_ENV } from "./background-limit.ts";

const wallClockMs = Number(Deno.env.get(WALL_CLOCK_ENV));
// Read once, then gone: it is the gateway's setting, not part of the function's environment.
Deno.env.delete(WALL_CLOCK_ENV);

function waitUntil<T>(promise: Promise<T>): Promise<T> {
  if (!(wallClockMs > 0)) return promise;
  const timer = setTimeout(() => {
    console.error(`[edge-runtime] background work ran past the ${wallClockMs} ms wall-clock limit; stopping the worker`);
    Deno.exit(BACKGROUND_LIMIT_EXIT_CODE);
  }, wallClockMs);
  promise.then(() => clearTimeout(timer), () => clearTimeout(timer));
  return promise;
}

(globalThis as { EdgeRuntime?: unknown }).EdgeRuntime ??= { waitUntil };
