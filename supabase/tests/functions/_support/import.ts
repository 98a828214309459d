// What the import-contacts tests share: uploading a file, waiting for its job to end, reading the
// error report, generating large CSV files on the fly (never committed), and a second functions
// gateway with limits chosen by the test (a lower wall clock makes the chunked processing visible).
import { assert } from "@std/assert/mod.js";
import { repoRoot, spawnGateway } from "./gateway-process.ts";
import { stack } from "./stack.ts";

export const FN = "import-contacts";

export interface Job {
  id: string;
  status: string;
  file_name: string;
  total_rows: number | null;
  processed_rows: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  percent: number;
  encoding: string | null;
  delimiter: string | null;
  slices: number;
  slice_stats: Record<string, number>;
  dry_run_report: { new: unknown[]; changed: unknown[]; failing: unknown[] } | null;
  undone_at: string | null;
  undo_summary: Record<string, number> | null;
  error_summary: string | null;
  /** Where each column of the header went; null until the header is read. */
  columns: { position: number; header: string; target: string }[] | null;
  existing?: boolean;
  stalled?: boolean;
}

export interface ErrorLine {
  row_number: number;
  column_name: string | null;
  value_excerpt: string | null;
  reason: string;
}

/** A line of the error report as a corpus expects it: its row, column and reason. */
export type ExpectedLine = [row: number, column: string | null, reason: string];

/** A file of a corpus and how its import must end: status, exact counts and error report lines. */
export interface CorpusCase {
  file: string;
  options?: Record<string, string>;
  status: "completed" | "failed";
  total: number;
  counts: [created: number, updated: number, skipped: number, failed: number];
  errors: ExpectedLine[];
  encoding?: string;
  delimiter?: string;
}

/** A user token goes in Authorization; the service's secret key in apikey, as supabase-js sends it. */
export const authHeaders = (token: string): Record<string, string> =>
  token.startsWith("sb_secret_") ? { apikey: token } : { Authorization: `Bearer ${token}` };

export async function upload(
  token: string,
  body: BodyInit,
  options: Record<string, string> = {},
  base = stack.url,
  contentType = "text/csv",
  signal?: AbortSignal,
): Promise<{ status: number; body: Job & { code?: string; message?: string }; headers: Headers }> {
  const query = new URLSearchParams(options);
  const response = await fetch(`${base}/functions/v1/${FN}?${query}`, {
    method: "POST",
    headers: { ...authHeaders(token), "content-type": contentType },
    body,
    signal,
    // @ts-ignore: streamed bodies need duplex half.
    duplex: body instanceof ReadableStream ? "half" : undefined,
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

export async function getJob(token: string, id: string, base = stack.url): Promise<Job> {
  // A gateway answers 502/504/546 while it restarts a worker that hit a limit; a client retries.
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${base}/functions/v1/${FN}/${id}`, { headers: authHeaders(token) });
    const body = await response.json();
    if ([502, 503, 504, 546].includes(response.status) && attempt < 20) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    assert(response.ok, `GET job: ${response.status} ${JSON.stringify(body)}`);
    return body;
  }
}

/** Polls the job until it ends (completed, failed or cancelled). */
export async function waitForJob(token: string, id: string, options: { timeoutMs?: number; base?: string; until?: (job: Job) => boolean } = {}): Promise<Job> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const done = options.until ?? ((job: Job) => ["completed", "failed", "cancelled"].includes(job.status));
  for (;;) {
    const job = await getJob(token, id, options.base);
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} at ${job.processed_rows}/${job.total_rows}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** The whole error report, read page by page (`limit` lines a page) as a client pages it. */
export async function errorLines(token: string, id: string, options: { base?: string; limit?: number } = {}): Promise<ErrorLine[]> {
  const lines: ErrorLine[] = [];
  let after = "0";
  for (;;) {
    const response = await fetch(`${options.base ?? stack.url}/functions/v1/${FN}/${id}/errors?after=${after}&limit=${options.limit ?? 10_000}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const page = await response.json() as { errors: ErrorLine[]; next_after: string | null };
    lines.push(...page.errors);
    if (page.next_after === null) return lines;
    after = page.next_after;
  }
}

/** The owner's folder in the imports bucket of the local Storage stand-in. */
const importsFolder = (ownerId: string) => `${Deno.env.get("SUPABASE_LOCAL_STORAGE_DIR")}/imports/${ownerId}`;

/** Where the local Storage stand-in keeps object `name` of the owner's imports folder, the folder made. */
export function storedFile(ownerId: string, name: string): string {
  Deno.mkdirSync(importsFolder(ownerId), { recursive: true });
  return `${importsFolder(ownerId)}/${name}`;
}

/** The files in the owner's folder of the local Storage stand-in (uploads, partial ones included). */
export function storedUploads(ownerId: string): string[] {
  try {
    return [...Deno.readDirSync(importsFolder(ownerId))].map((e) => e.name).sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/**
 * Uploads a body that sends `unit` over and over until `bytes` are sent, then stalls: an answer at
 * all proves the function stopped reading at its limit. After a minute without one, it hangs up.
 */
export async function uploadStalling(
  token: string,
  unit: string,
  bytes: number,
  options: Record<string, string>,
  contentType: string,
): ReturnType<typeof upload> {
  const hangUp = new AbortController();
  const stalled = new Promise<void>((resolve) => hangUp.signal.addEventListener("abort", () => resolve()));
  const encoded = new TextEncoder().encode(unit);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= bytes) {
        await stalled;
        return controller.close();
      }
      const chunk = new Uint8Array(encoded.length * 64);
      for (let i = 0; i < 64; i++) chunk.set(encoded, i * encoded.length);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const giveUp = setTimeout(() => hangUp.abort(new Error("no answer while the body was still streaming")), 60_000);
  try {
    return await upload(token, body, options, stack.url, contentType, hangUp.signal);
  } finally {
    clearTimeout(giveUp);
    hangUp.abort();
  }
}

/**
 * The answer to a request whose head declares `contentLength` bytes but whose body stops after
 * `start`: it can only come before the body is read, as the server owes the client nothing more.
 */
export async function answerBeforeBody(token: string, contentType: string, contentLength: number, start: string, query = ""): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(stack.url).port) });
  const request = `POST /functions/v1/${FN}${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: ${contentType}\r\nContent-Length: ${contentLength}\r\nConnection: close\r\n\r\n${start}`;
  await conn.write(new TextEncoder().encode(request));
  // A server that waits for the rest of the body never answers: hang up after a minute.
  const giveUp = setTimeout(() => conn.close(), 60_000);
  let reply = "";
  const buffer = new Uint8Array(4096);
  try {
    while (!reply.includes("payload_too_large")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      reply += new TextDecoder().decode(buffer.subarray(0, n));
    }
    conn.close();
  } catch {
    // closed by the timer
  } finally {
    clearTimeout(giveUp);
  }
  return reply;
}

/** A CSV of `rows` generated contacts, streamed (never held whole): row i has ada.<prefix><i>@example.com. */
export function generatedCsv(rows: number, options: { prefix?: string; from?: number; extra?: (i: number) => string; header?: string } = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const from = options.from ?? 0;
  let i = from;
  let headerSent = false;
  const firstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken"];
  const lastNames = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson"];
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let chunk = "";
      if (!headerSent) {
        chunk += options.header ?? "first_name,last_name,email,phone,company,city\n";
        headerSent = true;
      }
      const end = Math.min(from + rows, i + 2000);
      for (; i < end; i++) {
        const phone = i % 2 === 0 ? `+4420${String(70_000_000 + i).padStart(8, "0")}` : "";
        chunk += options.extra?.(i) ??
          `${firstNames[i % 8]},${lastNames[(i * 3) % 8]},ada.${options.prefix ?? ""}${i}@example.com,${phone},Company ${i % 97},City ${i % 13}\n`;
      }
      controller.enqueue(encoder.encode(chunk));
      if (i >= from + rows) controller.close();
    },
  });
}

export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface LimitedGateway {
  url: string;
  pid: number;
  /** Process ids of the gateway's function workers, by function name. */
  workerPid(name: string): number | null;
  stop(): Promise<void>;
}

/**
 * A second functions gateway (scripts/gateway/main.ts, the same one `npm start` runs) with the
 * limits the test chooses, serving the same functions against the same database and Storage
 * folder. Its functions call themselves through it.
 */
export async function startLimitedGateway(limits: { wallClockMs: number; memoryMb: number; env?: Record<string, string> }): Promise<LimitedGateway> {
  const jwks = Deno.env.get("SUPABASE_JWKS")!;
  const envFor = (url: string): Record<string, string> => ({
    SUPABASE_URL: url, // the functions call themselves through this gateway
    SUPABASE_DB_URL: stack.dbUrl,
    SUPABASE_JWKS: jwks,
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: stack.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: stack.secretKey }),
    SUPABASE_ANON_KEY: stack.anonKey,
    SUPABASE_LOCAL_STORAGE_DIR: Deno.env.get("SUPABASE_LOCAL_STORAGE_DIR")!,
    ...limits.env,
  });
  const gateway = await spawnGateway(
    (url) => ({
      root: repoRoot, jwks: JSON.parse(jwks), jwtSecret: stack.jwtSecret, env: envFor(url),
      wallClockMs: limits.wallClockMs, memoryMb: limits.memoryMb,
    }),
    { startTimeoutMs: 120_000 },
  );
  const workerPid = (name: string): number | null => {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
        const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (parent !== gateway.pid) continue;
        if (Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).includes(`/${name}/index.ts`)) return Number(entry.name);
      } catch {
        // gone
      }
    }
    return null;
  };
  return { ...gateway, workerPid };
}

/** Peak resident memory (VmHWM) of a process, in bytes. */
export function peakMemory(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(/VmHWM:\s+(\d+) kB/)![1]) * 1024;
}
