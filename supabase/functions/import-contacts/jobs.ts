// Import jobs as callers see them, through the caller's connection (RLS-scoped for owners, so
// another owner's job is simply not found): progress, the error report in pages or as a CSV
// stream, undo, cancel and resume; and the hand-off of work to a new invocation of the function.
import type { PostgresApi } from "@supabase/server/middleware/postgres";
import Papa from "papaparse";
import pg from "pg";
import { HttpError } from "../_shared/http.ts";
import { type ErrorsCursor, type ImportErrorRow, ImportJob, type MappingTarget, REPORT_START } from "../_shared/schemas/import.ts";
import { secretKey } from "../_shared/secret-key.ts";
import { objectOf, type StoredObject } from "../_shared/storage.ts";
import { resolveColumns, targetName } from "./rows.ts";

interface JobRecord extends Record<string, unknown> {
  user_id: string;
  header: string[] | null;
  column_mapping: Record<string, MappingTarget>;
  storage_path: string;
  running: boolean;
  idle: boolean;
}

const JOB_COLUMNS = `
  id, user_id, status, file_name, file_size_bytes::float8 as file_size_bytes, file_sha256, source, dry_run, options,
  encoding, delimiter, total_rows::float8 as total_rows, processed_rows::float8 as processed_rows,
  created_count::float8 as created, updated_count::float8 as updated, skipped_count::float8 as skipped,
  failed_count::float8 as failed, error_summary, slice_count::float8 as slices, slice_stats, dry_run_report,
  undone_at::text as undone_at, undo_summary, created_at::text as created_at, started_at::text as started_at,
  completed_at::text as completed_at,
  header, column_mapping, storage_path, private.import_job_is_running(id) as running, updated_at < now() - interval '20 seconds' as idle`;

export const notFound = () => new HttpError(404, "not_found", "Import job not found");

export interface LoadedJob {
  job: ImportJob;
  ownerId: string;
  /** The file the upload put in Storage; null for a file of the caller's own, which is never removed. */
  upload: StoredObject | null;
  /** Pending or processing, and nobody holds its lock: its processor died or its hand-off was lost. */
  stalled: boolean;
  /** Undo begun and not done, and nobody holds its lock: a step failed or its hand-off was lost. */
  undoStalled: boolean;
  idle: boolean;
}

export async function loadJob(db: PostgresApi, jobId: string): Promise<LoadedJob> {
  const rows = await db.queryRaw(`select ${JOB_COLUMNS} from public.contact_import_jobs where id = $1`, [jobId]) as JobRecord[];
  const row = rows[0];
  if (!row) throw notFound();
  const { user_id, storage_path, running, idle, header, column_mapping, ...rest } = row;
  const total = rest.total_rows as number | null;
  const processed = rest.processed_rows as number;
  const percent = rest.status === "completed" ? 100 : total ? Math.floor((processed * 100) / total) : 0;
  const columns = header ? describeColumns(header, column_mapping) : null;
  const job = ImportJob.parse({ ...rest, percent, columns });
  const stalled = (job.status === "pending" || job.status === "processing") && !running;
  const undoStalled = job.undo_summary !== null && job.undone_at === null && !running;
  return { job, ownerId: user_id, upload: job.source === "upload" ? objectOf(storage_path) : null, stalled, undoStalled, idle };
}

/**
 * Where each column of the job's header went, as the worker resolves it, so a caller sees which
 * headers became fields, channels or custom fields without a mapping of their own.
 */
function describeColumns(header: string[], mapping: Record<string, MappingTarget>): ImportJob["columns"] {
  return resolveColumns(header, mapping).map((column) => ({
    position: column.index + 1,
    header: header[column.index].trim(),
    target: targetName(column.target),
  }));
}

/** Runs a statement and gives its rows: the caller's connection and a pg client alike. */
export type Query = (text: string, params: unknown[]) => Promise<unknown[]>;

export interface ErrorPage {
  errors: ImportErrorRow[];
  /** Where the next page starts; null after the last page. */
  next: ErrorsCursor | null;
}

/**
 * Up to `limit` lines of the report after `after`, keyed on (row number, id) so none is skipped.
 * One line more is read to know whether another page has any (no cursor to an empty page).
 */
export async function errorPage(query: Query, jobId: string, ownerId: string, after: ErrorsCursor, limit: number): Promise<ErrorPage> {
  const rows = await query(
    // Ordered by the columns, qualified: a bare row_number would name the text output column.
    `select e.id::text, e.row_number::text, e.column_name, e.value_excerpt, e.reason from public.contact_import_job_errors e
     where e.job_id = $1 and e.user_id = $2 and (e.row_number, e.id) > ($3::bigint, $4::bigint)
     order by e.row_number, e.id limit $5`,
    [jobId, ownerId, after.row, after.id, limit + 1],
  ) as ({ id: string; row_number: string } & Omit<ImportErrorRow, "row_number">)[];
  const lines = rows.slice(0, limit);
  const last = lines.at(-1);
  return {
    errors: lines.map(({ id: _id, row_number, ...line }) => ({ row_number: Number(row_number), ...line })),
    next: rows.length > limit && last ? { row: last.row_number, id: last.id } : null,
  };
}

/**
 * The whole error report as CSV, streamed page by page on a connection of its own (the job was
 * authorized through the caller's connection first). Cells that a spreadsheet would run as a
 * formula (leading =, +, -, @, their full-width forms, tab, CR) are prefixed with a quote
 * (papaparse's escapeFormulae).
 */
export function errorCsv(jobId: string, ownerId: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let client: pg.Client | null = null;
  let after = REPORT_START;
  let headerSent = false;
  const close = async () => {
    await client?.end().catch(() => {});
    client = null;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!client) {
          client = new pg.Client({ connectionString: Deno.env.get("SUPABASE_DB_URL"), application_name: "import-contacts" });
          await client.connect();
        }
        const connection = client;
        const page = await errorPage(async (text, params) => (await connection.query(text, params)).rows, jobId, ownerId, after, 5000);
        const data = page.errors.map((e) => [e.row_number, e.column_name ?? "", e.value_excerpt ?? "", e.reason]);
        const text = Papa.unparse(
          { fields: ["row_number", "column", "value", "reason"], data },
          // Any cell that starts like a formula, the whole cell: papaparse's default pattern
          // (/^[=+\-@\t\r].*$/) does not match a value with a line break in it. Spreadsheets in
          // East Asian locales also take the full-width ＝ ＋ － ＠ for the ASCII ones.
          { header: !headerSent, escapeFormulae: /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/, newline: "\r\n" },
        );
        if (text) controller.enqueue(encoder.encode(text + "\r\n"));
        headerSent = true;
        if (!page.next) {
          await close();
          controller.close();
          return;
        }
        after = page.next;
      } catch (error) {
        await close();
        controller.error(error);
      }
    },
    async cancel() {
      await close();
    },
  });
}

/** Undoes in bounded steps until done or the time budget is spent; then the rest is handed on. */
export async function undo(db: PostgresApi, jobId: string, budgetMs: number): Promise<{ done: boolean; summary: Record<string, unknown> }> {
  const started = performance.now();
  for (;;) {
    const rows = await db.queryRaw(`select private.undo_import_job($1, 5000) as summary`, [jobId]) as { summary: Record<string, unknown> }[];
    const summary = rows[0].summary;
    if (summary.done === true || performance.now() - started > budgetMs) return { done: summary.done === true, summary };
  }
}

export async function cancel(db: PostgresApi, jobId: string): Promise<void> {
  const rows = await db.queryRaw(
    `update public.contact_import_jobs set status = 'cancelled' where id = $1 and status in ('pending', 'processing', 'failed') returning id`,
    [jobId],
  ) as unknown[];
  if (rows.length === 0) throw new HttpError(409, "conflict", "Only a pending, running or failed import can be cancelled");
}

/** A failed job goes back to processing (the status machine allows failed -> processing). */
export async function reopen(db: PostgresApi, jobId: string): Promise<void> {
  const rows = await db.queryRaw(
    `update public.contact_import_jobs set status = 'processing', error_summary = null where id = $1 and status = 'failed' returning id`,
    [jobId],
  ) as unknown[];
  // Cancelled (or resumed by someone else) since it was read.
  if (rows.length === 0) throw new HttpError(409, "conflict", "This import is no longer failed: read it again");
}

interface EdgeRuntimeGlobal {
  EdgeRuntime?: { waitUntil(promise: Promise<unknown>): void };
}

/** Keeps background work alive after the response, within the wall clock: EdgeRuntime.waitUntil (the local gateway provides it too). */
export function waitUntil(promise: Promise<unknown>): void {
  const guarded = promise.catch((error) =>
    console.error(JSON.stringify({ fn: "import-contacts", level: "error", event: "background_failed", message: String(error) }))
  );
  (globalThis as EdgeRuntimeGlobal).EdgeRuntime?.waitUntil(guarded);
}

/**
 * Hands work on to a new invocation of this function (POST /import-contacts/<id>/<action>, with
 * the service's secret key), without waiting for it to finish: each invocation stays within the
 * platform's per-invocation limits however large the file.
 */
export function handOn(jobId: string, action: "process" | "undo"): void {
  const url = `${Deno.env.get("SUPABASE_URL")}/functions/v1/import-contacts/${jobId}/${action}`;
  const key = secretKey("to hand work on with");
  waitUntil(
    fetch(url, { method: "POST", headers: { apikey: key, Authorization: `Bearer ${key}` } }).then(async (response) => {
      await response.body?.cancel();
    }),
  );
}
