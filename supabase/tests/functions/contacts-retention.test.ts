// contacts-retention end to end: the real gateway, the real function, the real database, real keys
// and tokens; called through supabase-js `functions.invoke` and raw fetch. Every run is scoped to
// this file's owners (option `owner`), so other data in the database is never touched.
import { assert, assertEquals, assertExists } from "@std/assert/mod.js";
import { encodeHex } from "@std/encoding/hex.js";
import pg from "pg";
import { assertError, assertGuarded } from "./_support/http.ts";
import { storedFile, storedUploads } from "./_support/import.ts";
import { call, createOwner, type Owner, removeOwners, serviceClient, sql, stack } from "./_support/stack.ts";

const FN = "contacts-retention";
const LOCK_KEY = "7004202510040000";

interface Run {
  run_id: number;
  status: string;
  dry_run: boolean;
  owner: string | null;
  batches: number;
  longest_batch_ms: number;
  affected_rows: number;
  counts: Record<string, Record<string, number>>;
  per_owner: { user_id: string; data_class: string; action: string; affected_rows: number }[];
  policies: number;
  failed_policies: number;
  more: boolean;
  resumed_run_id: number | null;
  uploads: { removed: number; waiting: number };
}

const service = (body: Record<string, unknown>) =>
  call(FN, { method: "POST", body: JSON.stringify(body), headers: { apikey: stack.secretKey } });

/**
 * An owner with one contact under legal hold and one not: `old` interactions 400 days old on each,
 * 3 recent ones, an old access-log entry, and a 365-day delete policy for interactions.
 */
async function arrange(label: string, old: number): Promise<{ owner: Owner; free: string; held: string }> {
  const owner = await createOwner(label);
  const [free, held] = (await sql<{ id: string }>(
    `insert into public.contacts (user_id, display_name, legal_hold, legal_hold_reason, created_at) values
       ($1, 'Free', false, null, now() - interval '800 days'), ($1, 'Held', true, 'litigation', now() - interval '800 days')
     returning id`,
    [owner.id],
  )).map((r) => r.id);
  await sql(
    `insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
     select $1::uuid, c.id, 'email', 'inbound', 'old body ' || g, now() - interval '400 days' - g * interval '1 second'
     from unnest(array[$2::uuid, $3::uuid]) as c (id), generate_series(1, $4::integer) g
     union all
     select $1::uuid, $2::uuid, 'email', 'outbound', 'recent body ' || g, now() - g * interval '1 day' from generate_series(1, 3) g`,
    [owner.id, free, held, old],
  );
  await sql(`insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values ($1, 'interactions', 'delete', 365)`, [owner.id]);
  return { owner, free, held };
}

/** What retention may change of an owner: the interactions left, as (contact name, content) pairs. */
const interactionsOf = async (ownerId: string) =>
  (await sql<{ name: string; content: string }>(
    `select c.display_name as name, i.content from public.contact_interactions i join public.contacts c on c.id = i.contact_id
     where i.user_id = $1 order by 1, 2`,
    [ownerId],
  )).map((r) => `${r.name}:${r.content}`);

/**
 * A file in the owner's imports folder of the local Storage, with an import job naming it that ends
 * as `end` says: left failed, cancelled, or deleted.
 */
async function storedImport(ownerId: string, name: string, source: "upload" | "storage", end: "failed" | "cancelled" | "deleted") {
  Deno.writeTextFileSync(storedFile(ownerId, name), "email\nada@example.com\n");
  const [{ job_id }] = await sql<{ job_id: string }>(
    `select job_id from private.create_import_job($1, $2, 1, $3, $4, $5, '{}', '{}', false, 1, false)`,
    [ownerId, name, encodeHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(name))), `imports/${ownerId}/${name}`, source],
  );
  await sql(`update public.contact_import_jobs set status = 'processing' where id = $1`, [job_id]);
  if (end === "deleted") await sql(`delete from public.contact_import_jobs where id = $1`, [job_id]);
  else await sql(`update public.contact_import_jobs set status = $2, error_summary = 'stopped' where id = $1`, [job_id, end]);
}

const count = async (ownerId: string) =>
  Number((await sql<{ n: string }>(`select count(*) as n from public.contact_interactions where user_id = $1`, [ownerId]))[0].n);

/**
 * Gives the owner an audit-log policy with 4 entries past it and a cancelled import's upload, then
 * runs retention for the owner while a change of its interactions policy is left open (the run's
 * share lock on it times out after 2 s): the run answers 500 naming one failed policy, applies the
 * audit-log policy, still removes the upload, and records the lock timeout on the interactions item.
 * Returns the failed run's id.
 */
async function expectOnePolicyToFailWhileHeld(ownerId: string): Promise<number> {
  await sql(
    `insert into public.contact_audit_log (user_id, contact_id, table_name, row_id, action, changed_columns, actor_role, occurred_at)
     select $1, null, 'contact_groups', gen_random_uuid(), 'insert', '{}', 'authenticated', now() - interval '500 days'
     from generate_series(1, 4)`,
    [ownerId],
  );
  await sql(`insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values ($1, 'audit_log', 'delete', 30)`, [ownerId]);
  await storedImport(ownerId, "cancelled.csv", "upload", "cancelled");
  const holder = new pg.Client({ connectionString: stack.dbUrl });
  await holder.connect();
  let runId: number;
  try {
    await holder.query("begin");
    await holder.query("select 1 from public.contact_retention_policies where user_id = $1 and data_class = 'interactions' for update", [ownerId]);
    const response = await service({ owner: ownerId });
    assertError(response, 500, "internal_error");
    const details = (response.body as { details: { run_id: number; failed_policies: number; uploads: unknown } }).details;
    assertEquals([details.failed_policies, details.uploads], [1, { removed: 1, waiting: 0 }]);
    assertEquals(storedUploads(ownerId), [], "the run still removed the cancelled import's upload");
    runId = details.run_id;
  } finally {
    await holder.query("rollback");
    await holder.end();
  }
  const oldAudit = await sql(`select 1 from public.contact_audit_log where user_id = $1 and occurred_at < now() - interval '400 days'`, [ownerId]);
  assertEquals(oldAudit.length, 0, "the audit-log policy was applied");
  const [item] = await sql<{ error: string }>(`select error from private.retention_run_items where run_id = $1 and data_class = 'interactions'`, [runId]);
  assert(item.error.includes("55P03"), item.error);
  return runId;
}

Deno.test("contacts-retention", { sanitizeResources: false, sanitizeOps: false }, async (t) => {
  const owners: Owner[] = [];
  try {
    const a = await arrange("retention-a", 20);
    const b = await arrange("retention-b", 20);
    owners.push(a.owner, b.owner);

    await t.step("preflight, missing and forged tokens (401 before any SQL), wrong method (405)", async () => {
      await assertGuarded(FN, { method: "POST", wrongMethod: "GET", body: "{}", userId: a.owner.id });
    });

    await t.step("an owner's token, an agent token and the publishable key are refused", async () => {
      assertError(await call(FN, { method: "POST", body: "{}", token: await a.owner.token() }), 403, "forbidden");
      const [agent] = await sql<{ id: string }>(`insert into public.agents (user_id, name) values ($1, 'Cleaner') returning id`, [a.owner.id]);
      assertError(await call(FN, { method: "POST", body: "{}", token: await a.owner.agentToken(agent.id) }), 403, "forbidden");
      assertError(await call(FN, { method: "POST", body: "{}", headers: { apikey: stack.publishableKey } }), 401);
      assertEquals(await count(a.owner.id), 43, "nothing was deleted by refused callers");
    });

    await t.step("bad input: unknown options, wrong types, bad JSON, unknown owner", async () => {
      for (const body of [{ surprise: true }, { dry_run: "yes" }, { owner: "not-a-uuid" }, { max_batches: 0 }, { max_batches: 1.5 }]) {
        const response = await service(body);
        assertError(response, 422, "validation_failed");
        assert(Array.isArray((response.body as { details: { issues: unknown[] } }).details.issues));
      }
      assertError(await call(FN, { method: "POST", body: "{nope", headers: { apikey: stack.secretKey } }), 400, "malformed_json");
      assertError(await service({ owner: crypto.randomUUID() }), 404, "not_found");
    });

    await t.step("a dry run through supabase-js counts what would go and changes nothing", async () => {
      const before = await interactionsOf(a.owner.id);
      const { data, error } = await serviceClient().functions.invoke<Run>(FN, { body: { dry_run: true, owner: a.owner.id } });
      assertEquals(error, null);
      assertEquals(data!.status, "completed");
      assertEquals(data!.dry_run, true);
      assertEquals(data!.counts, { interactions: { delete: 20 } }, "20 old interactions of the free contact; the held contact's are not counted");
      assertEquals(data!.per_owner, [{ user_id: a.owner.id, data_class: "interactions", action: "delete", affected_rows: 20 }]);
      assertEquals(await interactionsOf(a.owner.id), before);
    });

    await t.step("a run deletes the owner's old interactions, keeps recent and held ones, and never touches another owner", async () => {
      const beforeB = await interactionsOf(b.owner.id);
      const response = await service({ owner: a.owner.id });
      assertEquals(response.status, 200, JSON.stringify(response.body));
      const run = response.body as Run;
      assertEquals([run.status, run.affected_rows, run.more, run.owner, run.failed_policies], ["completed", 20, false, a.owner.id, 0]);
      const left = await interactionsOf(a.owner.id);
      assertEquals(left.filter((x) => x.startsWith("Free:old")).length, 0);
      assertEquals(left.filter((x) => x.startsWith("Held:old")).length, 20, "legal hold: every old interaction of the held contact stays");
      assertEquals(left.filter((x) => x.startsWith("Free:recent")).length, 3);
      assertEquals(await interactionsOf(b.owner.id), beforeB, "owner B's rows are exactly as before");
      const [logged] = await sql<{ status: string; source: string; counts: unknown }>(
        `select status, source, counts from private.retention_runs where id = $1`, [run.run_id]);
      assertEquals(logged, { status: "completed", source: "function", counts: { interactions: { delete: 20 } } });
      const again = (await service({ owner: a.owner.id })).body as Run;
      assertEquals([again.status, again.affected_rows], ["completed", 0], "a second run finds nothing to do");
    });

    await t.step("a second run while one holds the lock returns at once (409) and is logged as skipped", async () => {
      const holder = new pg.Client({ connectionString: stack.dbUrl });
      await holder.connect();
      try {
        await holder.query("select pg_advisory_lock($1::bigint)", [LOCK_KEY]);
        const started = performance.now();
        const response = await service({ owner: b.owner.id });
        assert(performance.now() - started < 1000, "answered in under a second");
        assertError(response, 409, "conflict");
        const runId = (response.body as { details: { run_id: number } }).details.run_id;
        const [logged] = await sql<{ status: string }>(`select status from private.retention_runs where id = $1`, [runId]);
        assertEquals(logged.status, "skipped");
        assertEquals(await count(b.owner.id), 43, "the skipped run changed nothing");
        // Every option has a default, so a POST without a body (a scheduler's) is a run too.
        const bare = await call(FN, { method: "POST", headers: { apikey: stack.secretKey } });
        assertError(bare, 409, "conflict");
        const bareJson = await call(FN, { method: "POST", headers: { apikey: stack.secretKey, "content-type": "application/json" } });
        assertError(bareJson, 409, "conflict"); // an empty body sent as JSON is a run with every default too
      } finally {
        await holder.end();
      }
    });

    await t.step("two runs at once: one does the work, nothing is deleted twice", async () => {
      const [first, second] = await Promise.all([service({ owner: b.owner.id }), service({ owner: b.owner.id })]);
      const done = [first, second].filter((r) => r.status === 200).map((r) => (r.body as Run).affected_rows);
      const skipped = [first, second].filter((r) => r.status === 409);
      assertEquals(done.length + skipped.length, 2, JSON.stringify([first.body, second.body]));
      assertEquals(done.reduce((x, y) => x + y, 0), 20, "the 20 old rows are deleted exactly once between them");
      assertEquals(await count(b.owner.id), 23);
    });

    // Keyset batches: 8,000 old rows (4,000 deletable) stay under the 10,000 a run needs to sweep.
    await t.step("max_batches stops a run with work left (more: true); the next run resumes it and finishes", async () => {
      const m = await arrange("retention-batches", 4000);
      owners.push(m.owner);
      const first = (await service({ owner: m.owner.id, max_batches: 1 })).body as Run;
      assertEquals([first.status, first.more, first.batches, first.affected_rows], ["stopped", true, 1, 2500]);
      const second = (await service({ owner: m.owner.id })).body as Run;
      assertEquals([second.status, second.more, second.resumed_run_id], ["completed", false, first.run_id]);
      assertEquals(first.affected_rows + second.affected_rows, 4000);
      assert(second.longest_batch_ms < 500, `longest batch ${second.longest_batch_ms} ms`);
    });

    await t.step("a policy that fails stops alone: the owner's other policy is applied, the run answers 500, the next resumes it", async () => {
      const f = await arrange("retention-failing", 5);
      owners.push(f.owner);
      await expectOnePolicyToFailWhileHeld(f.owner.id);
      assertEquals(await count(f.owner.id), 13, "the interactions policy did nothing");
      const next = await service({ owner: f.owner.id });
      assertEquals(next.status, 200, JSON.stringify(next.body));
      assertEquals([(next.body as Run).status, (next.body as Run).affected_rows], ["completed", 5]);
      assertEquals(await count(f.owner.id), 8, "the held contact's 5 old and the 3 recent interactions stay");
    });

    await t.step("a run killed mid-way and run again ends exactly as an uninterrupted run", async () => {
      const killed = await arrange("retention-killed", 4500);
      const whole = await arrange("retention-whole", 4500);
      owners.push(killed.owner, whole.owner);
      // A driver on its own session: start, two small batches, then the session is killed.
      const driver = new pg.Client({ connectionString: stack.dbUrl });
      await driver.connect();
      const [{ run_id, pid }] = (await driver.query(
        "select private.retention_run_start(false, $1, null, 'sql', 1000, true) as run_id, pg_backend_pid() as pid", [killed.owner.id])).rows;
      await driver.query("select private.retention_run_step($1)", [run_id]);
      await driver.query("select private.retention_run_step($1)", [run_id]);
      driver.on("error", () => {});
      await sql("select pg_terminate_backend($1)", [pid]);
      await driver.end().catch(() => {});
      assertEquals(await count(killed.owner.id), 9003 - 1000, "two batches of 1000 rows examined (500 deletable each) were committed before the kill");

      const resumed = (await service({ owner: killed.owner.id })).body as Run;
      assertEquals([resumed.status, resumed.resumed_run_id, resumed.affected_rows], ["completed", Number(run_id), 3500]);
      const [dead] = await sql<{ status: string }>(`select status from private.retention_runs where id = $1`, [run_id]);
      assertEquals(dead.status, "interrupted");
      const uninterrupted = (await service({ owner: whole.owner.id })).body as Run;
      assertEquals(uninterrupted.affected_rows, 4500);
      assertEquals(await interactionsOf(killed.owner.id), await interactionsOf(whole.owner.id), "same rows left, same content");
    });

    await t.step("a run with many rows to delete sweeps them, keeps held and recent ones, and records a watermark", async () => {
      const big = await arrange("retention-sweep", 6000);
      owners.push(big.owner);
      const beforeB = await interactionsOf(b.owner.id);
      const run = (await service({ owner: big.owner.id })).body as Run;
      assertEquals([run.status, run.affected_rows, run.more], ["completed", 6000, false]);
      const [logged] = await sql<{ swept: boolean }>(`select sweep_end_at is not null as swept from private.retention_runs where id = $1`, [run.run_id]);
      assertEquals(logged.swept, true, "12,000 old rows: the run swept them");
      const left = await interactionsOf(big.owner.id);
      assertEquals(left.filter((x) => x.startsWith("Held:old")).length, 6000, "legal hold: every old interaction of the held contact stays");
      assertEquals(left.filter((x) => x.startsWith("Free:old")).length, 0);
      assertEquals(left.filter((x) => x.startsWith("Free:recent")).length, 3);
      assertEquals(await interactionsOf(b.owner.id), beforeB, "another owner's rows are exactly as before");
      const [mark] = await sql<{ clean_before: string | null }>(
        `select clean_before::text from private.retention_watermarks where user_id = $1 and data_class = 'interactions' and action = 'delete'`,
        [big.owner.id]);
      assert(mark?.clean_before, "the sweep recorded the owner's watermark");
      const again = (await service({ owner: big.owner.id })).body as Run;
      assertEquals([again.status, again.affected_rows], ["completed", 0], "the next run, from the watermark, finds nothing");
    });

    await t.step("a swept policy held by a change fails alone too: the sweep leaves it, the next run deletes its rows", async () => {
      const big = await arrange("retention-sweep-held", 6000);
      owners.push(big.owner);
      const failedRun = await expectOnePolicyToFailWhileHeld(big.owner.id);
      const [item] = await sql<{ run_swept: boolean; swept: boolean }>(
        `select r.sweep_end_at is not null as run_swept, i.swept from private.retention_run_items i
         join private.retention_runs r on r.id = i.run_id where i.run_id = $1 and i.data_class = 'interactions'`, [failedRun]);
      assertEquals([item.run_swept, item.swept], [true, false], "the run swept, and the held policy left the sweep");
      assertEquals(await count(big.owner.id), 12_003, "nothing was deleted under the held policy");
      const next = (await service({ owner: big.owner.id })).body as Run;
      assertEquals([next.status, next.resumed_run_id, next.affected_rows], ["completed", failedRun, 6000]);
    });

    await t.step("uploads of ended and deleted imports leave Storage; a failed import's, an owner's own file and another owner's stay", async () => {
      await storedImport(a.owner.id, "cancelled.csv", "upload", "cancelled");
      await storedImport(a.owner.id, "deleted.csv", "upload", "deleted");
      await storedImport(a.owner.id, "failed.csv", "upload", "failed");
      await storedImport(a.owner.id, "referenced.csv", "storage", "cancelled");
      await storedImport(b.owner.id, "cancelled.csv", "upload", "cancelled");

      const dry = (await service({ owner: a.owner.id, dry_run: true })).body as Run;
      assertEquals(dry.uploads, { removed: 0, waiting: 2 }, "a dry run counts the two uploads due and removes nothing");
      assertEquals(storedUploads(a.owner.id), ["cancelled.csv", "deleted.csv", "failed.csv", "referenced.csv"]);

      const run = (await service({ owner: a.owner.id })).body as Run;
      assertEquals(run.uploads, { removed: 2, waiting: 0 });
      assertEquals(storedUploads(a.owner.id), ["failed.csv", "referenced.csv"],
        "the cancelled and the deleted import's uploads are gone; a failed import keeps its file to be resumed, and a referenced file is the owner's");
      assertEquals(storedUploads(b.owner.id), ["cancelled.csv"], "a run for one owner leaves another's uploads");

      assertEquals(((await service({ owner: b.owner.id })).body as Run).uploads, { removed: 1, waiting: 0 });
      assertEquals(storedUploads(b.owner.id), []);
    });

    await t.step("the service's answer names every class it touched", async () => {
      await sql(`insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values ($1, 'interaction_content', 'anonymize', 1)`, [a.owner.id]);
      const run = (await service({ owner: a.owner.id })).body as Run;
      assertExists(run.counts.interaction_content);
      assertEquals(run.counts.interaction_content.anonymize, 3, "the three recent bodies of the free contact; the held contact's stay");
      assertEquals(run.policies, 2);
    });
  } finally {
    await removeOwners(...owners);
  }
});
