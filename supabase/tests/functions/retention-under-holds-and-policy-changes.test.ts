// Retention against an owner acting in another session, on the real database (20251020000037,
// 20251020000041): a legal hold being placed while a batch runs keeps the contact's audit entries
// and the import jobs about it, and one placed while a batch's transaction is open waits for it; a
// policy deleted while a run goes waits for the step under way, and the run deletes nothing more.
// pgTAP 159 and 163 check the locks from one session.
import { assertEquals } from "@std/assert/mod.js";
import pg from "pg";
import { claimsSession, untilWaitingForALock } from "./_support/sessions.ts";
import { createOwner, type Owner, removeOwners, sql, stack } from "./_support/stack.ts";

/** A superuser session (the retention drivers run as the service or postgres), connected. */
async function serviceSession(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: stack.dbUrl });
  await client.connect();
  return client;
}

async function contact(owner: Owner, name: string): Promise<string> {
  const [{ id }] = await sql<{ id: string }>(
    `insert into public.contacts (user_id, display_name) values ($1, $2) returning id`, [owner.id, name]);
  return id;
}

/** Two audit entries 500 days old about the contact, and an audit_log/delete policy of 30 days. */
async function oldAuditEntries(owner: Owner, contactId: string): Promise<void> {
  await sql(
    `insert into public.contact_audit_log (user_id, contact_id, table_name, row_id, action, changed_columns, actor_role, occurred_at)
     select $1, $2, 'contacts', $2, 'update', '{notes}', 'authenticated', now() - interval '500 days' - n * interval '1 minute'
     from generate_series(1, 2) n`, [owner.id, contactId]);
  await sql(`insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values ($1, 'audit_log', 'delete', 30)`,
    [owner.id]);
}

const oldAuditCount = async (contactId: string) =>
  Number((await sql<{ n: string }>(
    `select count(*) as n from public.contact_audit_log where contact_id = $1 and occurred_at < now() - interval '30 days'`,
    [contactId]))[0].n);

const placeHold = (client: pg.Client, contactId: string) =>
  client.query(`update public.contacts set legal_hold = true, legal_hold_reason = 'litigation' where id = $1`, [contactId]);

const applyRetention = (client: pg.Client, owner: Owner) =>
  client.query<{ data_class: string; affected_rows: string }>(
    `select data_class, affected_rows from public.apply_retention_policies(false, $1) order by data_class`, [owner.id]);

Deno.test("audit entries of a contact put on hold while the batch runs are kept", async () => {
  const owner = await createOwner("retention-audit-hold");
  const held = await contact(owner, "Held");
  await oldAuditEntries(owner, held);
  const [holder, service] = [await claimsSession({ sub: owner.id }), await serviceSession()];
  try {
    await placeHold(holder, held);
    const { rows } = await applyRetention(service, owner);
    await holder.query("commit");
    assertEquals(rows, [{ data_class: "audit_log", affected_rows: "0" }], "the batch leaves the entries of the contact being held");
    assertEquals(await oldAuditCount(held), 2);
  } finally {
    await holder.query("rollback").catch(() => {});
    await Promise.all([holder.end(), service.end()]);
    await removeOwners(owner);
  }
});

Deno.test("a hold placed while an audit batch's transaction is open waits for it", async () => {
  const owner = await createOwner("retention-audit-wait");
  const late = await contact(owner, "Late");
  await oldAuditEntries(owner, late);
  const [holder, service, watcher] = [await claimsSession({ sub: owner.id }), await serviceSession(), await serviceSession()];
  try {
    await service.query("begin");
    const { rows } = await applyRetention(service, owner);
    assertEquals(rows, [{ data_class: "audit_log", affected_rows: "2" }]);
    let placed = false;
    const pending = placeHold(holder, late).then(() => (placed = true));
    await untilWaitingForALock(watcher, pending);
    assertEquals(placed, false, "the hold waits for the batch's transaction");
    await service.query("commit");
    await pending;
    await holder.query("commit");
    assertEquals(await oldAuditCount(late), 0, "the batch came first: the entries it deleted are gone, the hold stands from now on");
  } finally {
    await Promise.all([holder.query("rollback").catch(() => {}), service.query("rollback").catch(() => {})]);
    await Promise.all([holder.end(), service.end(), watcher.end()]);
    await removeOwners(owner);
  }
});

Deno.test("an import job about a contact put on hold while the batch runs is kept", async () => {
  const owner = await createOwner("retention-job-hold");
  const held = await contact(owner, "Held");
  const [{ job_id: jobId }] = await sql<{ job_id: string }>(
    `select j.job_id from private.create_import_job($1, 'old.csv', 1, md5('old') || md5('old'), $2, 'upload', '{}', '{}', false, 2, false) j`,
    [owner.id, `imports/${owner.id}/old.csv`]);
  await sql(`insert into public.contact_import_changes (job_id, contact_id, user_id, action, previous, contact_updated_at)
             values ($1, $2, $3, 'updated', '{"organization": "Before"}', now() - interval '200 days')`, [jobId, held, owner.id]);
  await sql(`update public.contact_import_jobs set status = 'processing' where id = $1`, [jobId]);
  await sql(`update public.contact_import_jobs set status = 'completed', total_rows = 1, processed_rows = 1, updated_count = 1 where id = $1`,
    [jobId]);
  await sql(`update public.contact_import_jobs set created_at = now() - interval '201 days', completed_at = now() - interval '200 days'
             where id = $1`, [jobId]);
  await sql(`insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values ($1, 'import_jobs', 'delete', 30)`,
    [owner.id]);
  const [holder, service] = [await claimsSession({ sub: owner.id }), await serviceSession()];
  try {
    await placeHold(holder, held);
    const { rows } = await applyRetention(service, owner);
    await holder.query("commit");
    assertEquals(rows, [{ data_class: "import_jobs", affected_rows: "0" }], "the batch leaves the job while the hold is being placed");
    const kept = await sql(`select 1 from public.contact_import_changes where job_id = $1 and contact_id = $2`, [jobId, held]);
    assertEquals(kept.length, 1, "the job and its change log about the held contact are kept");
  } finally {
    await holder.query("rollback").catch(() => {});
    await Promise.all([holder.end(), service.end()]);
    await removeOwners(owner);
  }
});

Deno.test("a policy deleted while a run goes waits for the step under way, and the run deletes nothing more", async () => {
  const owner = await createOwner("retention-policy-withdrawn");
  const someone = await contact(owner, "Someone");
  await sql(
    `insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
     select $1, $2, 'email', 'inbound', 'old ' || n, now() - interval '200 days' - n * interval '1 minute' from generate_series(1, 20) n`,
    [owner.id, someone]);
  await sql(`insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values ($1, 'interactions', 'delete', 100)`,
    [owner.id]);
  const left = async () =>
    Number((await sql<{ n: string }>(`select count(*) as n from public.contact_interactions where user_id = $1`, [owner.id]))[0].n);
  const [ownerSession, driver, watcher] = [await claimsSession({ sub: owner.id }), await serviceSession(), await serviceSession()];
  let runId: string | undefined;
  try {
    // A driver's run, as the contacts-retention function drives it: two interactions a step.
    runId = (await driver.query<{ id: string }>(
      `select private.retention_run_start(false, $1, null, 'function', 2, true) as id`, [owner.id])).rows[0].id;
    await driver.query("begin");
    await driver.query("select private.retention_run_step($1)", [runId]);
    let deleted = false;
    const pending = ownerSession.query("delete from public.contact_retention_policies").then(() => (deleted = true));
    await untilWaitingForALock(watcher, pending);
    assertEquals(deleted, false, "the owner's delete waits for the step's transaction");
    await driver.query("commit");
    await pending;
    await ownerSession.query("commit");
    assertEquals(await left(), 18);
    const steps = [];
    for (let i = 0; i < 3; i++) steps.push((await driver.query<{ more: boolean }>("select private.retention_run_step($1) as more", [runId])).rows[0].more);
    assertEquals(steps, [false, false, false], "the run has nothing left to do");
    assertEquals(await left(), 18, "and deleted nothing after the policy was gone");
  } finally {
    await Promise.all([ownerSession.query("rollback").catch(() => {}), driver.query("rollback").catch(() => {})]);
    if (runId) await driver.query("select private.retention_run_finish($1)", [runId]).catch(() => {});
    await Promise.all([ownerSession.end(), driver.end(), watcher.end()]);
    await removeOwners(owner);
  }
});
