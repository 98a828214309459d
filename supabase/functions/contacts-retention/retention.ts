// contacts-retention without HTTP: the driver of one batched run. A SQL function is one
// transaction, so the run is a loop of private.retention_run_step calls, each committed on its own,
// all on ONE connection: the run's advisory lock is held by that session until the run ends (or the
// session dies, which frees it for the next run, which then resumes this one's positions). The
// pooled connection of withPostgresAdminClient cannot pin a session, hence a dedicated client.
import pg from "pg";
import { z } from "zod";
import { HttpError } from "../_shared/http.ts";
import { RetentionRun } from "../_shared/schemas/retention.ts";

/** What the driver needs of a connection: one session, statements committed one by one. */
export interface RunSession {
  query<T>(text: string, values?: unknown[]): Promise<T[]>;
  end(): Promise<void>;
}

export interface RunOptions {
  dryRun: boolean;
  ownerId: string | null;
  maxBatches: number | null;
  /** Rows examined per batch (interactions and logs; contacts and jobs take a tenth). */
  batchSize?: number;
  /** Stop taking batches after this long (the hosted wall clock is 150 s); the run is 'stopped' and resumable. */
  timeBudgetMs?: number;
}

/** A dedicated connection to the project's database as the service (SUPABASE_DB_URL). */
export async function openRunSession(url = Deno.env.get("SUPABASE_DB_URL")): Promise<RunSession> {
  if (!url) throw new HttpError(500, "internal_error", "Internal Server Error", null, { cause: "SUPABASE_DB_URL is not set" });
  const client = new pg.Client({ connectionString: url, application_name: "contacts-retention" });
  await client.connect();
  return {
    query: async <T>(text: string, values: unknown[] = []) => (await client.query(text, values)).rows as T[],
    end: () => client.end(),
  };
}

const RunRow = z.object({
  id: z.coerce.number(),
  status: z.string(),
  dry_run: z.boolean(),
  owner_id: z.string().nullable(),
  started_at: z.coerce.date(),
  finished_at: z.coerce.date().nullable(),
  batches: z.coerce.number(),
  longest_batch_ms: z.coerce.number(),
  affected_rows: z.coerce.number(),
  counts: z.record(z.string(), z.record(z.string(), z.coerce.number())),
  resumed_run_id: z.coerce.number().nullable(),
});

export async function runRetention(db: RunSession, options: RunOptions): Promise<RetentionRun> {
  const budget = options.timeBudgetMs ?? 100_000;
  const started = performance.now();
  if (options.ownerId) {
    const [owner] = await db.query<{ found: boolean }>("select exists (select 1 from auth.users where id = $1) as found", [options.ownerId]);
    if (!owner.found) throw new HttpError(404, "not_found", "No such owner");
  }
  // Row locks of other writers are skipped, not waited for; anything else waits at most 2 s.
  await db.query("select pg_catalog.set_config('lock_timeout', '2s', false)");
  const [{ run_id }] = await db.query<{ run_id: string }>(
    "select private.retention_run_start($1, $2, $3, 'function', $4, true) as run_id",
    [options.dryRun, options.ownerId, options.maxBatches, options.batchSize ?? 5000],
  );

  let failure: string | null = null;
  try {
    let more = true;
    while (more && performance.now() - started < budget) {
      const [step] = await db.query<{ more: boolean }>("select private.retention_run_step($1) as more", [run_id]);
      more = step.more;
    }
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    console.error(JSON.stringify({ level: "error", fn: "contacts-retention", run_id, error: failure }));
  }
  const [finished] = await db.query<Record<string, unknown>>("select * from private.retention_run_finish($1, $2)", [run_id, failure]);
  const run = RunRow.parse(finished);
  const items = await db.query<{ user_id: string; data_class: string; action: string; affected_rows: string; failed: boolean }>(
    `select user_id, data_class, action, affected_rows, error is not null as failed
     from private.retention_run_items where run_id = $1 order by user_id, data_class`,
    [run_id],
  );
  return RetentionRun.parse({
    run_id: run.id,
    status: run.status,
    dry_run: run.dry_run,
    owner: run.owner_id,
    started_at: run.started_at.toISOString(),
    finished_at: run.finished_at?.toISOString() ?? null,
    batches: run.batches,
    longest_batch_ms: run.longest_batch_ms,
    affected_rows: run.affected_rows,
    counts: run.counts,
    per_owner: items.filter((i) => Number(i.affected_rows) > 0)
      .map((i) => ({ user_id: i.user_id, data_class: i.data_class, action: i.action, affected_rows: Number(i.affected_rows) })),
    policies: items.length,
    failed_policies: items.filter((i) => i.failed).length,
    more: run.status === "stopped",
    resumed_run_id: run.resumed_run_id,
  });
}
