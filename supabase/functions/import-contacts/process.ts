// The import worker: one bounded slice of a job per invocation. A slice takes the job's advisory
// lock on its own connection (one processor per job; the database drops the lock if the process
// dies), opens the file at the position after the last committed batch, and commits batches, each
// in its own transaction together with the job's counts and new position, until the file ends or
// the slice's wall-clock or CPU budget is spent; then it hands the rest to a new invocation.
// Reading and normalizing the next batch overlaps with the database writing the previous one.
import process from "node:process";
import pg from "pg";
import { type FileStorage, objectOf, type StoredFile } from "../_shared/storage.ts";
import { ImportOptions } from "../_shared/schemas/import.ts";
import { cellsOf, type CsvRecord, detectFormat, type FileFormat, peek, RecordReader } from "./csv.ts";
import { readHeader } from "./layout.ts";
import { HeaderError, type ImportRow, mapHeader, type RowFailure, rowFailure, RowNormalizer, storable } from "./rows.ts";

export interface SliceLimits {
  /** Wall-clock budget of one slice (well under the platform's limit per invocation). */
  wallMs: number;
  /** CPU budget of one slice (the hosted limit is 2 s of CPU per invocation). */
  cpuMs: number;
  batchRows: number;
  batchBytes: number;
}

const envNumber = (name: string, fallback: number) => {
  const value = Number(Deno.env.get(name));
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

export function sliceLimits(): SliceLimits {
  return {
    wallMs: envNumber("IMPORT_SLICE_WALL_MS", 25_000),
    cpuMs: envNumber("IMPORT_SLICE_CPU_MS", 1_500),
    // 1,000 rows: at 2,000 a million-row import's worker peaked about 11 MB higher (two batches
    // are alive at once, one being written while the next is read) for 2% more rows a second.
    batchRows: envNumber("IMPORT_BATCH_ROWS", 1_000),
    batchBytes: envNumber("IMPORT_BATCH_BYTES", 8 * 1024 * 1024),
  };
}

export type SliceState = "busy" | "not_runnable" | "continue" | "completed" | "failed" | "cancelled";

interface JobRow {
  id: string;
  user_id: string;
  status: string;
  storage_path: string;
  source: string;
  options: Record<string, unknown>;
  column_mapping: Record<string, unknown>;
  dry_run: boolean;
  header: string[] | null;
  resume_offset: string;
  resume_line: string;
  total_rows: string | null;
  processed_rows: string;
  file_size_bytes: string | null;
  file_version: string | null;
}

interface Batch {
  rows: ImportRow[];
  failures: RowFailure[];
  /** Where each record of the batch ends: a batch splits at any of them into two that resume alike. */
  bounds: RecordBound[];
  end: number;
  nextLine: number;
  count: number;
}

interface RecordBound {
  line: number;
  end: number;
  nextLine: number;
}

const FILE_MISSING = "file_missing: the file of this import is no longer in storage";

const log = (entry: Record<string, unknown>) => console.log(JSON.stringify({ fn: "import-contacts", ...entry }));

const ANALYZE_FIRST_ROWS = 5_000;
// Only the columns the probes filter the owner and job by: the cheap part of a full analyze. A
// table that autovacuum is working on is skipped rather than waited for (waiting would cancel it).
const ANALYZE_TABLES = "analyze (skip_locked) public.contacts (user_id), public.contact_communication_channels (user_id), " +
  "public.contact_import_changes (user_id, job_id)";

/** The first row count past `rows` at which the tables are analyzed again: 5k, 20k, 80k ... */
function analyzeThreshold(rows: number): number {
  let threshold = ANALYZE_FIRST_ROWS;
  while (threshold <= rows) threshold *= 4;
  return threshold;
}

/** Errors worth retrying a batch for: serialization, deadlock, lock timeout, a unique race with another writer. */
const RETRYABLE = new Set(["40001", "40P01", "55P03", "23505"]);

export async function runSlice(jobId: string, storage: FileStorage, limits = sliceLimits()): Promise<SliceState> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const cpuMs = () => {
    const used = process.cpuUsage(cpuStart);
    return (used.user + used.system) / 1000;
  };
  const client = new pg.Client({ connectionString: Deno.env.get("SUPABASE_DB_URL"), application_name: "import-contacts" });
  await client.connect();
  let reader: RecordReader | null = null;
  let rows = 0;
  try {
    if (!await lockJob(client, jobId)) return "busy";
    const claimed = await client.query<JobRow>(
      `update public.contact_import_jobs
       set status = 'processing', slice_count = slice_count + 1
       where id = $1 and status in ('pending', 'processing')
       returning id, user_id, status, storage_path, source, options, column_mapping, dry_run, header,
         resume_offset::text, resume_line::text, total_rows::text, processed_rows::text, file_size_bytes::text, file_version`,
      [jobId],
    );
    const job = claimed.rows[0];
    if (!job) return "not_runnable";
    const options = ImportOptions.parse({ ...job.options, mapping: job.column_mapping });
    const object = objectOf(job.storage_path);
    // The worker reads with the service's rights: only a file of the job's owner, whoever made the row.
    if (!object.path.startsWith(`${job.user_id}/`)) {
      return await fail(client, job.id, 1, null, "file_not_owned: the file of this import is not in its owner's folder of Storage");
    }

    const head = await storage.read(object, 0);
    if (!head) return await fail(client, job.id, 1, null, FILE_MISSING);
    // Every slice reads on from a byte position of the file the intake hashed and counted: a file
    // replaced in Storage since would be read from the middle of other rows. Its size tells a
    // replacement; its version (the intake's, or for a job made without one the first slice's),
    // one of the same size.
    const changed = head.size !== null && job.file_size_bytes !== null && head.size !== Number(job.file_size_bytes)
      ? `is ${head.size} bytes, not the ${job.file_size_bytes} this import began with`
      : head.version !== null && job.file_version !== null && head.version !== job.file_version
      ? "was replaced by another file of the same size since this import began"
      : null;
    if (changed) {
      await head.body.cancel();
      return await fail(client, job.id, Number(job.resume_line) || 1, null, `file_changed: the file in Storage ${changed}; import it again`);
    }
    if (job.file_version === null && head.version !== null) {
      await client.query("update public.contact_import_jobs set file_version = $2 where id = $1 and file_version is null", [job.id, head.version]);
    }
    const [sample, rest] = await peek(head.body, 64 * 1024);
    await rest.cancel();
    const format = detectFormat(sample, { encoding: options.encoding, delimiter: options.delimiter, header_row: options.header_row });

    // Storage refuses a range that starts at the object's end (InvalidRange): from there, as after
    // the byte-order mark of a file that holds nothing else, or at the saved position of a job
    // stopped between its last batch and its completion, there is nothing to read.
    const size = head.size ?? (job.file_size_bytes === null ? null : Number(job.file_size_bytes));
    /** The file from a byte position on, of the version checked above, or why it cannot be read. */
    const readFrom = async (from: number): Promise<StoredFile | string> => {
      if (size !== null && from >= size) return { body: ReadableStream.from<Uint8Array>([]), size, version: head.version };
      const file = await storage.read(object, from);
      if (!file) return FILE_MISSING;
      if (file.version !== head.version) {
        await file.body.cancel();
        return "file_changed: the file in Storage was replaced while this import read it; import it again";
      }
      return file;
    };

    let offset = Number(job.resume_offset);
    let line = Number(job.resume_line);
    let header = job.header;
    if (offset === 0) {
      const whole = await readFrom(format.bom);
      if (typeof whole === "string") return await fail(client, job.id, 1, null, whole);
      reader = new RecordReader(whole.body, format, format.bom, 1);
      // Lines before the header (a sep= line, a preamble, lines header_row skips) are no rows: the
      // job resumes after the header, and its error report keeps the file's own line numbers.
      let first: CsvRecord;
      try {
        first = await readHeader(reader, format, options.header_row);
      } catch (error) {
        if (!(error instanceof HeaderError)) throw error;
        return await fail(client, job.id, options.header_row ?? 1, null, error.message);
      }
      // Stored on the job as jsonb, which cannot hold U+0000.
      header = cellsOf(new TextDecoder(format.encoding).decode(first.bytes), format).map((name) => storable(name));
      offset = first.end;
      line = first.nextLine;
      try {
        mapHeader(header, options);
      } catch (error) {
        if (!(error instanceof HeaderError)) throw error;
        await client.query(
          `update public.contact_import_jobs set encoding = $2, delimiter = $3, header = $4 where id = $1`,
          [job.id, format.encoding, format.delimiter, JSON.stringify(header)],
        );
        return await fail(client, job.id, first.line, error.column, error.message);
      }
      await client.query(
        `update public.contact_import_jobs set encoding = $2, delimiter = $3, header = $4, resume_offset = $5, resume_line = $6
         where id = $1`,
        [job.id, format.encoding, format.delimiter, JSON.stringify(header), offset, line],
      );
    } else {
      const rest = await readFrom(offset);
      if (typeof rest === "string") return await fail(client, job.id, line, null, rest);
      reader = new RecordReader(rest.body, format, offset, line);
    }

    const columns = mapHeader(header ?? [], options);
    const normalizer = new RowNormalizer(columns, options);
    // The next batch is read and normalized while the database writes the previous one. A batch
    // is only started when the slice can still finish it inside its budget (judged by the last
    // batch's time), and batches shrink when the database is slow, so that no slice overruns.
    let inflight: Promise<void> | null = null;
    let finished = false;
    let lastCommitMs = 0;
    let batchRows = limits.batchRows;
    // The batch statements probe the owner's rows by key. An import grows an owner faster than
    // autovacuum re-samples the tables, and a planner that still believes the owner has a handful
    // of rows scans all of them per probe: quadratic. So the tables are analyzed each time the
    // job's rows pass 5k, 20k, 80k ... (fourfold), after a commit, outside the batch transactions.
    const processedAtStart = Number(job.processed_rows);
    for (;;) {
      const batch = await readBatch(reader, normalizer, format, { ...limits, batchRows });
      if (inflight) await inflight;
      inflight = null;
      if (batch.count === 0) {
        finished = true;
        break;
      }
      const elapsed = performance.now() - started;
      if (rows > 0 && (elapsed + 1.5 * lastCommitMs > limits.wallMs || cpuMs() > limits.cpuMs)) break;
      rows += batch.count;
      const commitStarted = performance.now();
      const processed = processedAtStart + rows;
      inflight = commitBatch(client, job.id, batch).then(async () => {
        lastCommitMs = performance.now() - commitStarted;
        if (lastCommitMs > limits.wallMs / 4 && batchRows > 500) batchRows = Math.max(500, Math.floor(batchRows / 2));
        if (!job.dry_run && analyzeThreshold(processed - batch.count) <= processed) {
          // Only statistics: a failure here costs speed, never rows.
          await client.query(ANALYZE_TABLES).catch((error: { code?: string; message?: string }) =>
            log({ level: "warn", event: "analyze_failed", job_id: job.id, sqlstate: error.code, message: error.message })
          );
        }
      });
      // Awaited before the next batch; until then a failure must not count as unhandled.
      inflight.catch(() => {});
    }
    if (inflight) await inflight;
    await recordSlice(client, job.id, performance.now() - started, cpuMs(), rows);
    if (!finished) return "continue";
    const done = await client.query<{ status: string }>(
      `update public.contact_import_jobs set status = 'completed', total_rows = processed_rows
       where id = $1 and status = 'processing' returning status`,
      [job.id],
    );
    if (done.rowCount === 0) return "cancelled";
    if (job.source === "upload") await storage.remove(object);
    log({ level: "info", event: "import_completed", job_id: job.id });
    return "completed";
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "55000") return "cancelled";
    log({ level: "error", event: "slice_failed", job_id: jobId, sqlstate: code, message: (error as Error).message });
    await client.query("rollback").catch(() => {});
    // No line in the error report: no row failed. The summary says what happened; resuming
    // continues after the last committed batch.
    await client.query(
      `update public.contact_import_jobs set status = 'failed', error_summary = $2 where id = $1 and status = 'processing'`,
      [jobId, "processing_failed: the import stopped on an internal error; resume it to continue after the last saved batch"],
    ).catch(() => {});
    return "failed";
  } finally {
    await reader?.cancel();
    await client.end().catch(() => {});
  }
}

/**
 * Takes the job's processing lock, waiting a moment for a slice that is ending: one that failed
 * commits the status before its connection (and the lock) goes, and a resume in between reopens
 * the job and hands it to a slice that would otherwise find the lock taken and leave the job
 * processing with no one at work. A slice still running past the wait keeps the job.
 */
async function lockJob(client: pg.Client, jobId: string): Promise<boolean> {
  await client.query("set lock_timeout = '3s'");
  try {
    await client.query("select pg_advisory_lock(private.import_job_lock_key($1))", [jobId]);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "55P03") return false;
    throw error;
  } finally {
    await client.query("reset lock_timeout");
  }
}

/**
 * Marks the job failed with one line in its error report; failed jobs can be resumed. A job
 * cancelled meanwhile stays cancelled and gets no line.
 */
async function fail(client: pg.Client, jobId: string, line: number, column: string | null, reason: string): Promise<SliceState> {
  const failure = rowFailure(Math.max(1, line), column, null, reason);
  await client.query("begin");
  await client.query(
    `insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, reason)
     select user_id, id, $2, $3, $4 from public.contact_import_jobs where id = $1 and status = 'processing'`,
    [jobId, failure.row_number, failure.column_name, failure.reason],
  );
  await client.query(
    `update public.contact_import_jobs set status = 'failed', error_summary = $2 where id = $1 and status = 'processing'`,
    [jobId, failure.reason],
  );
  await client.query("commit");
  return "failed";
}

async function recordSlice(client: pg.Client, jobId: string, wallMs: number, cpuMs: number, rows: number): Promise<void> {
  const memory = Deno.memoryUsage();
  await client.query(
    `update public.contact_import_jobs
     set slice_stats = jsonb_build_object(
       'max_wall_ms', greatest(coalesce((slice_stats ->> 'max_wall_ms')::numeric, 0), $2::numeric),
       'max_cpu_ms', greatest(coalesce((slice_stats ->> 'max_cpu_ms')::numeric, 0), $3::numeric),
       'max_rows', greatest(coalesce((slice_stats ->> 'max_rows')::bigint, 0), $4::bigint),
       'max_rss_bytes', greatest(coalesce((slice_stats ->> 'max_rss_bytes')::bigint, 0), $5::bigint),
       'max_heap_bytes', greatest(coalesce((slice_stats ->> 'max_heap_bytes')::bigint, 0), $6::bigint))
     where id = $1`,
    [jobId, Math.round(wallMs), Math.round(cpuMs), rows, memory.rss, memory.heapUsed],
  );
}

/**
 * SQLSTATEs that one row's values cause and no retry mends: a data exception (class 22), a check
 * or not-null constraint, an index entry too large. Checks the row normalizer cannot make alone
 * (custom fields and tags merged into a contact's own) are the database's.
 */
const isRowError = (code: string) => code.startsWith("22") || ["23502", "23514", "54000"].includes(code);

const REFUSALS: Record<string, string> = {
  contacts_metadata_check: "custom_fields_too_large: with this row the contact's custom fields would exceed the 64 KB a contact holds",
  contacts_tags_check: "too_many_tags: with this row the contact would have more than 100 tags",
};

/**
 * One batch in its own transaction. When the database refuses a row, the batch is split in two
 * at a record boundary and each half committed on its own, down to the row refused, which becomes
 * a failed row of the report: the other rows are written, and the job goes on.
 */
async function commitBatch(client: pg.Client, jobId: string, batch: Batch): Promise<void> {
  try {
    await commitOnce(client, jobId, batch);
  } catch (error) {
    const { code = "", constraint, message } = error as { code?: string; constraint?: string; message: string };
    if (!isRowError(code) || batch.rows.length === 0) throw error;
    if (batch.rows.length > 1) {
      for (const half of splitBatch(batch)) await commitBatch(client, jobId, half);
      return;
    }
    const [row] = batch.rows;
    const reason = REFUSALS[constraint ?? ""] ?? `rejected: the database refused this row (${message})`;
    log({ level: "warn", event: "row_refused", job_id: jobId, row: row.n, sqlstate: code, constraint });
    await commitOnce(client, jobId, { ...batch, rows: [], failures: [...batch.failures, rowFailure(row.n, null, null, reason)] });
  }
}

/** The batch as two batches of half its records each, with their rows, failures and end positions. */
function splitBatch(batch: Batch): [Batch, Batch] {
  const mid = Math.floor(batch.bounds.length / 2);
  const cut = batch.bounds[mid].line;
  const part = (bounds: RecordBound[], before: boolean): Batch => ({
    rows: batch.rows.filter((row) => (row.n < cut) === before),
    failures: batch.failures.filter((failure) => (failure.row_number < cut) === before),
    bounds,
    end: bounds[bounds.length - 1].end,
    nextLine: bounds[bounds.length - 1].nextLine,
    count: bounds.length,
  });
  return [part(batch.bounds.slice(0, mid), true), part(batch.bounds.slice(mid), false)];
}

/** One batch in its own transaction, retried when another writer raced it. */
async function commitOnce(client: pg.Client, jobId: string, batch: Batch): Promise<void> {
  const rows = JSON.stringify(batch.rows);
  const failures = JSON.stringify(batch.failures);
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query("begin");
      // Safe to relax: the batch and the job's position commit together, so a batch lost in a
      // database crash is one the job will read again.
      await client.query("set local synchronous_commit = off");
      // The batch's statements are probes by key whose row estimates the planner cannot know
      // (json input); JIT compiling them costs more than running them.
      await client.query("set local jit = off");
      await client.query("select private.import_contacts_batch($1, $2::json, $3::json, $4, $5)", [
        jobId, rows, failures, batch.end, batch.nextLine,
      ]);
      await client.query("commit");
      return;
    } catch (error) {
      await client.query("rollback").catch(() => {});
      if (attempt >= 4 || !RETRYABLE.has((error as { code?: string }).code ?? "")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

async function readBatch(
  reader: RecordReader,
  normalizer: RowNormalizer,
  format: FileFormat,
  limits: SliceLimits,
): Promise<Batch> {
  const records: CsvRecord[] = [];
  let bytes = 0;
  while (records.length < limits.batchRows && bytes < limits.batchBytes) {
    const record = await reader.next();
    if (!record) break;
    records.push(record);
    bytes += record.bytes.length;
  }
  const failures: RowFailure[] = [];
  const rows: ImportRow[] = [];
  if (records.length === 0) return { rows, failures, bounds: [], end: 0, nextLine: 0, count: 0 };
  const strict = new TextDecoder(format.encoding, { fatal: true });
  const lenient = new TextDecoder(format.encoding);
  const unreadable = (record: CsvRecord, reason: string) => failures.push(rowFailure(record.line, null, lenient.decode(record.bytes), reason));
  for (const record of records) {
    if (record.flag !== "ok") {
      unreadable(record, record.flag === "unterminated_quote"
        ? "unterminated_quote: a quoted field is never closed; this line was read on its own"
        : "record_too_long: the row is longer than 4 MB");
      continue;
    }
    let text: string;
    try {
      text = strict.decode(record.bytes);
    } catch {
      unreadable(record, `invalid_encoding: the row is not valid ${format.encoding}`);
      continue;
    }
    const result = normalizer.normalize(cellsOf(text, format), record.line);
    if ("reason" in result) failures.push(result);
    else rows.push(result);
  }
  const last = records[records.length - 1];
  return {
    rows,
    failures,
    bounds: records.map(({ line, end, nextLine }) => ({ line, end, nextLine })),
    end: last.end,
    nextLine: last.nextLine,
    count: records.length,
  };
}
