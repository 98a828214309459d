// What the gateway and the EdgeRuntime shim it preloads into workers (edge-runtime.ts) agree on.

/** The variable that hands the wall-clock limit to the shim (which removes it before function code runs). */
export const WALL_CLOCK_ENV = "EDGE_RUNTIME_WALL_CLOCK_MS";

/** The signal asking a retired worker to end once its background work is done. */
export const RETIRE_SIGNAL = "SIGUSR2";

/** The exit code of a worker stopped because background work outlived the wall-clock limit. */
export const BACKGROUND_LIMIT_EXIT_CODE = 124;
