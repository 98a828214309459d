// Preloaded into every function worker: EdgeRuntime.waitUntil, as the edge runtime provides it.
// Background work handed to it keeps running after the response, but no longer than the wall-clock
// limit: past it the worker is stopped, as the edge runtime stops an isolate at its wall clock
// (the gateway recognises the exit code and says so to requests still in that worker). A retired
// worker ends once such work is done.
import { BACKGROUND_LIMIT_EXIT_CODE, RETIRE_SIGNAL, WALL_CLOCK_ENV } from "./background-limit.ts";

const wallClockMs = Number(Deno.env.get(WALL_CLOCK_ENV));
// Read once, then gone: it is the gateway's setting, not part of the function's environment.
Deno.env.delete(WALL_CLOCK_ENV);

let pending = 0;
let retiring = false;
const exitIfDone = () => {
  if (retiring && pending === 0) Deno.exit(0);
};

function waitUntil<T>(promise: Promise<T>): Promise<T> {
  pending++;
  const timer = wallClockMs > 0
    ? setTimeout(() => {
      console.error(`[edge-runtime] background work ran past the ${wallClockMs} ms wall-clock limit; stopping the worker`);
      Deno.exit(BACKGROUND_LIMIT_EXIT_CODE);
    }, wallClockMs)
    : undefined;
  const settled = () => {
    clearTimeout(timer);
    pending--;
    exitIfDone();
  };
  promise.then(settled, settled);
  return promise;
}

// The gateway retired this worker (a request ran out of wall clock) and no request is left in it:
// end once the background work of the others is done, rather than cutting it off.
Deno.addSignalListener(RETIRE_SIGNAL, () => {
  retiring = true;
  exitIfDone();
});

(globalThis as { EdgeRuntime?: unknown }).EdgeRuntime ??= { waitUntil };
