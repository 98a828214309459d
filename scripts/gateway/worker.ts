// One function served by its own Deno process, as the edge runtime isolates each function: the
// V8 heap is capped at the hosted memory limit, and so is the whole process: memory outside the
// heap (array buffers, the runtime's own) is watched, and a process resident beyond the limit is
// stopped, as the edge runtime stops an isolate over it. A process that dies is replaced; one that
// dies before it listens failed to boot, and is tried again after a growing pause, while callers
// are told at once. A process whose request ran out of wall clock is retired: new requests go to
// a fresh one, the others it holds finish, then it is asked to end once its background work
// (EdgeRuntime.waitUntil, itself bounded by the wall clock) is done too.
import { fromFileUrl } from "@std/path/mod.js";
import { BACKGROUND_LIMIT_EXIT_CODE, RETIRE_SIGNAL, WALL_CLOCK_ENV } from "./background-limit.ts";
import { freePort } from "./ports.ts";
import { denoRuntimeEnv } from "./worker-env.ts";

export interface WorkerOptions {
  name: string;
  entrypoint: string;
  /** deno.json / deno.jsonc (passed as --config) or a plain import map (--import-map). */
  importMap?: string;
  memoryMb: number;
  /** How long background work (EdgeRuntime.waitUntil) may run; unbounded without it. */
  wallClockMs?: number;
  /** How long a request waits for a process that is starting (30 s by default). */
  bootTimeoutMs?: number;
  /** A dotenv file whose variables the function also gets (supabase/functions/.env, as the CLI reads it). */
  envFile?: string;
  env: Record<string, string>;
}

/** The function could not start: its process ended before it listened (a syntax error, a failed import). */
export class BootError extends Error {}

/** A request's hold on the process serving it. */
export interface Lease {
  origin: string;
  /** The request is over (answered, failed or cut off). */
  release(): void;
  /** The request ran out of wall clock: the process takes no new requests and ends once idle. */
  retire(): void;
  /** How the process ended, if it ends within `ms` (a request to it just failed); null if it lives on. */
  exitWithin(ms: number): Promise<string | null>;
}

/** How often a worker's resident memory is read. */
const MEMORY_CHECK_MS = 100;
/** How often a starting process is checked for its listener. */
const BOOT_POLL_MS = 50;
/** The pause before a process that died is replaced; doubled per consecutive boot failure, up to the cap. */
const RESTART_DELAY_MS = 200;
const MAX_RESTART_DELAY_MS = 10_000;
/** How long a retired process may take to end after its background work's own limit, before it is killed. */
const RETIRE_GRACE_MS = 5_000;

const EDGE_RUNTIME_SHIM = fromFileUrl(new URL("./edge-runtime.ts", import.meta.url));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What `promise` gives, or undefined when `ms` pass first; the timer is cleared either way. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), ms))]);
  } finally {
    clearTimeout(timer);
  }
}

async function accepts(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch {
    return false;
  }
}

/** Resident memory of a process in kB (VmRSS), or null where /proc cannot tell. */
function residentKb(pid: number): number | null {
  try {
    const match = Deno.readTextFileSync(`/proc/${pid}/status`).match(/^VmRSS:\s+(\d+) kB/m);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function importMapArgs(importMap: string | undefined): string[] {
  if (!importMap) return [];
  return [/(^|\/)deno\.jsonc?$/.test(importMap) ? `--config=${importMap}` : `--import-map=${importMap}`];
}

/** One Deno process serving the function. */
class WorkerProcess {
  readonly port = freePort();
  readonly child: Deno.ChildProcess;
  /** Resolves true once the server accepts connections, false if the process ends first. */
  readonly listening: Promise<boolean>;
  listens = false;
  /** How the process ended ("exited with code 1", ...), once it has. */
  exit: string | null = null;
  #stoppedFor: string | null = null;
  #inFlight = 0;
  #retired = false;
  /** Asked to end (retired and idle). */
  #asked = false;

  constructor(readonly options: WorkerOptions) {
    const { entrypoint, importMap, memoryMb, wallClockMs, envFile, env } = options;
    this.child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...importMapArgs(importMap),
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        "--allow-sys",
        `--preload=${EDGE_RUNTIME_SHIM}`,
        // Variables already set (the ones Supabase gives functions) are not overridden by the file.
        ...(envFile ? [`--env-file=${envFile}`] : []),
        // The young generation in proportion to the limit (4 MB semi-spaces at 256 MB) rather than
        // V8's 16 MB default, as a small isolate keeps it: resident memory then follows what the
        // function holds, not the size of an idle nursery.
        `--v8-flags=--max-old-space-size=${memoryMb},--max-semi-space-size=${Math.max(1, Math.floor(memoryMb / 64))}`,
        entrypoint,
      ],
      clearEnv: true,
      env: {
        // glibc gives each thread that allocates its own arena (up to 8 per core), so a small
        // isolate's resident memory grows with the threads that touched it rather than with what it
        // holds: over a 100k-row import the worker's anonymous memory rose 64 -> 83 MB with the
        // default, 67 -> 72 MB with two arenas, 55 -> 59 MB with one. The JS thread does nearly all
        // of the allocating, so one arena costs no measurable speed.
        MALLOC_ARENA_MAX: "1",
        ...denoRuntimeEnv(),
        ...env,
        ...(wallClockMs ? { [WALL_CLOCK_ENV]: String(wallClockMs) } : {}),
        DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${this.port}`,
      },
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    this.child.status.then((status) => {
      this.exit = this.#stoppedFor ??
        (status.code === BACKGROUND_LIMIT_EXIT_CODE
          ? "was stopped at the wall-clock limit: background work ran past it"
          : `exited with code ${status.code}${status.signal ? ` (${status.signal})` : ""}`);
    });
    this.listening = this.#waitForListener();
    this.#watchMemory();
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async #waitForListener(): Promise<boolean> {
    while (this.exit === null) {
      if (await accepts(this.port)) return this.listens = true;
      await sleep(BOOT_POLL_MS);
    }
    return false;
  }

  #watchMemory(): void {
    const { name, memoryMb } = this.options;
    const limitKb = memoryMb * 1024;
    const timer = setInterval(() => {
      const resident = residentKb(this.child.pid);
      if (resident === null || resident <= limitKb) return;
      clearInterval(timer);
      console.error(`[gateway] ${name} is resident in ${Math.round(resident / 1024)} MB, over its ${memoryMb} MB limit; stopping it`);
      this.#stoppedFor = `was stopped at its ${memoryMb} MB memory limit`;
      this.kill("SIGKILL");
    }, MEMORY_CHECK_MS);
    this.child.status.finally(() => clearInterval(timer));
  }

  lease(retire: () => void): Lease {
    this.#inFlight++;
    let released = false;
    return {
      origin: this.origin,
      release: () => {
        if (released) return;
        released = true;
        this.#inFlight--;
        this.#stopIfRetiredAndIdle();
      },
      retire,
      exitWithin: (ms) => this.exitWithin(ms),
    };
  }

  retire(): void {
    this.#retired = true;
    this.#stopIfRetiredAndIdle();
  }

  /**
   * A retired process with no request left is asked to end: the EdgeRuntime shim (edge-runtime.ts)
   * exits once the background work of its invocations is done, which its wall clock bounds; past
   * that and a grace period, it is killed.
   */
  #stopIfRetiredAndIdle(): void {
    if (!this.#retired || this.#inFlight > 0 || this.#asked) return;
    this.#asked = true;
    this.kill(RETIRE_SIGNAL);
    const timer = setTimeout(() => this.kill("SIGKILL"), (this.options.wallClockMs ?? 0) + RETIRE_GRACE_MS);
    this.child.status.finally(() => clearTimeout(timer));
  }

  async exitWithin(ms: number): Promise<string | null> {
    return (await within(this.child.status, ms)) ? this.exit : null;
  }

  kill(signal: Deno.Signal): void {
    try {
      this.child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export type WorkerState = "ready" | "starting" | "boot_error";

export class FunctionWorker {
  /** The process new requests go to; null while a replacement is due. */
  #current: WorkerProcess | null = null;
  /** Every live process: the current one and any retired ones still finishing requests. */
  #processes = new Set<WorkerProcess>();
  #bootFailures = 0;
  #bootError: string | null = null;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #stopping = false;

  constructor(readonly options: WorkerOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** Where the current process listens. */
  get origin(): string {
    if (!this.#current) throw new Error(`${this.name} has no running process`);
    return this.#current.origin;
  }

  get state(): WorkerState {
    if (this.#current?.listens) return "ready";
    return this.#bootError === null ? "starting" : "boot_error";
  }

  start(): void {
    this.#stopping = false;
    this.#spawn();
  }

  #spawn(): void {
    const process = new WorkerProcess(this.options);
    this.#current = process;
    this.#processes.add(process);
    process.listening.then((listens) => {
      if (!listens) return;
      this.#bootFailures = 0;
      this.#bootError = null;
    });
    process.child.status.then(async () => {
      this.#processes.delete(process);
      if (this.#stopping || process !== this.#current) return;
      this.#current = null;
      let delay = RESTART_DELAY_MS;
      if (await process.listening) {
        console.error(`[gateway] ${this.name} ${process.exit}; restarting`);
      } else {
        this.#bootFailures++;
        this.#bootError = `${process.exit} before it listened`;
        delay = Math.min(RESTART_DELAY_MS * 2 ** this.#bootFailures, MAX_RESTART_DELAY_MS);
        console.error(`[gateway] ${this.name} failed to boot (${this.#bootError}); trying again in ${delay} ms`);
      }
      this.#restartTimer = setTimeout(() => this.#spawn(), delay);
    });
  }

  /** A fresh process for new requests; the retired one ends once its requests are done. */
  #retire(process: WorkerProcess): void {
    if (process === this.#current && !this.#stopping) this.#spawn();
    process.retire();
  }

  /**
   * The process to send a request to, held until the lease is released. Waits (bounded) for a
   * process that is starting; throws BootError at once while the function fails to boot, and
   * when no process listens within the timeout (a boot that hangs).
   */
  async acquire(timeoutMs = this.options.bootTimeoutMs ?? 30_000): Promise<Lease> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const process = this.#current;
      if (process?.listens) return process.lease(() => this.#retire(process));
      if (this.#bootError !== null) throw new BootError(`${this.name} ${this.#bootError}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new BootError(`${this.name} did not start within ${timeoutMs} ms`);
      // Until it listens or ends (then look again: it may have been retired or replaced meanwhile).
      if (process) await within(process.listening, left);
      else await sleep(Math.min(BOOT_POLL_MS, left));
    }
  }

  /** Waits (bounded) until a process accepts requests, e.g. right after a restart. */
  async ready(timeoutMs?: number): Promise<void> {
    (await this.acquire(timeoutMs)).release();
  }

  /** True when the current process has ended or ends within `ms`. */
  async exitsWithin(ms: number): Promise<boolean> {
    return this.#current === null || (await this.#current.exitWithin(ms)) !== null;
  }

  stop(): void {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    for (const process of this.#processes) process.kill("SIGTERM");
  }
}
