// One function served by its own Deno process, as the edge runtime isolates each function: the
// V8 heap is capped at the hosted memory limit, and so is the whole process: memory outside the
// heap (array buffers, the runtime's own) is watched, and a process resident beyond the limit is
// stopped, as the edge runtime stops an isolate over it. A worker that dies is started again.
export interface WorkerOptions {
  name: string;
  entrypoint: string;
  denoConfig: string;
  port: number;
  memoryMb: number;
  env: Record<string, string>;
}

/** How often a worker's resident memory is read. */
const MEMORY_CHECK_MS = 100;

/** Resident memory of a process in kB (VmRSS), or null where /proc cannot tell. */
function residentKb(pid: number): number | null {
  try {
    const match = Deno.readTextFileSync(`/proc/${pid}/status`).match(/^VmRSS:\s+(\d+) kB/m);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export class FunctionWorker {
  #process: Deno.ChildProcess | null = null;
  #stopping = false;
  alive = false;

  constructor(readonly options: WorkerOptions) {}

  get name(): string {
    return this.options.name;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  start(): void {
    const { entrypoint, denoConfig, port, memoryMb, env } = this.options;
    const command = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--config=${denoConfig}`,
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        "--allow-sys",
        // The young generation in proportion to the limit (4 MB semi-spaces at 256 MB) rather than
        // V8's 16 MB default, as a small isolate keeps it: resident memory then follows what the
        // function holds, not the size of an idle nursery.
        `--v8-flags=--max-old-space-size=${memoryMb},--max-semi-space-size=${Math.max(1, Math.floor(memoryMb / 64))}`,
        entrypoint,
      ],
      // glibc gives each thread that allocates its own arena (up to 8 per core), so a small
      // isolate's resident memory grows with the threads that touched it rather than with what it
      // holds: over a 100k-row import the worker's anonymous memory rose 64 -> 83 MB with the
      // default, 67 -> 72 MB with two arenas, 55 -> 59 MB with one. The JS thread does nearly all
      // of the allocating, so one arena costs no measurable speed.
      env: { MALLOC_ARENA_MAX: "1", ...env, DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${port}` },
      stdout: "inherit",
      stderr: "inherit",
    });
    this.#process = command.spawn();
    this.alive = true;
    this.#watchMemory(this.#process);
    this.#process.status.then((status) => {
      this.alive = false;
      if (this.#stopping) return;
      console.error(`[gateway] ${this.name} exited (code ${status.code}${status.signal ? `, ${status.signal}` : ""}); restarting`);
      setTimeout(() => this.start(), 200);
    });
  }

  #watchMemory(child: Deno.ChildProcess): void {
    const limitKb = this.options.memoryMb * 1024;
    const timer = setInterval(() => {
      const resident = residentKb(child.pid);
      if (resident === null || resident <= limitKb) return;
      clearInterval(timer);
      console.error(`[gateway] ${this.name} is resident in ${Math.round(resident / 1024)} MB, over its ${this.options.memoryMb} MB limit; stopping it`);
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, MEMORY_CHECK_MS);
    child.status.finally(() => clearInterval(timer));
  }

  /** True when the current process has ended or ends within `ms` (a request to it just failed). */
  async exitsWithin(ms: number): Promise<boolean> {
    if (!this.alive || !this.#process) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([
      this.#process.status.then(() => true),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms)),
    ]);
    clearTimeout(timer);
    return ended;
  }

  restart(): void {
    try {
      this.#process?.kill("SIGKILL");
    } catch {
      // already gone: the exit handler restarts it
    }
  }

  stop(): void {
    this.#stopping = true;
    try {
      this.#process?.kill("SIGTERM");
    } catch {
      // already gone
    }
  }

  /** True once the function's server accepts connections. */
  async healthy(): Promise<boolean> {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: this.options.port });
      conn.close();
      return true;
    } catch {
      return false;
    }
  }

  /** Waits (bounded) for the server to accept connections, e.g. right after a restart. */
  async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.healthy())) {
      if (Date.now() > deadline) throw new Error(`${this.name} did not start within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
