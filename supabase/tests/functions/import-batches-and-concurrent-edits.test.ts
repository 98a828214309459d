// Import batches and undo beside an owner's edit in flight, on the real database with two sessions:
// a batch that updates a contact waits for the edit and merges onto it (20251015000001), undo waits
// for an edit of a created contact and then keeps it (20251015000002), and a batch whose contact is
// deleted while it waits is refused, to be planned again (20251016000000). Each used to read the
// contact first and write afterwards, losing the edit or the row.
import { assertEquals, assertNotEquals, assertRejects } from "@std/assert/mod.js";
import pg from "pg";
import { createOwner, removeOwners, sql, stack } from "./_support/stack.ts";
import { untilWaitingForALock } from "./_support/sessions.ts";

interface Row {
  n: number;
  k: string;
  first_name: string;
  channels: { t: string; v: string; nv: string; p: boolean; col: string }[];
}

const row = (n: number, email: string, firstName: string): Row => ({
  n, k: email, first_name: firstName, channels: [{ t: "email", v: email, nv: email, p: true, col: "email" }],
});

async function processingJob(ownerId: string, sha: string): Promise<string> {
  const [{ job_id }] = await sql<{ job_id: string }>(
    `select job_id from private.create_import_job($1, 'edits.csv', 1, $2, 'imports/' || $1::uuid || '/edits.csv', 'upload', '{}',
       '{"on_duplicate": "update"}', false, 10, false)`,
    [ownerId, sha],
  );
  await sql(`update public.contact_import_jobs set status = 'processing' where id = $1`, [job_id]);
  return job_id;
}

/** Runs `during` while another session holds an uncommitted edit of the contact, then commits the edit. */
function withEditInFlight<T>(contactId: string, edit: string, during: () => Promise<T>): Promise<T> {
  return withChangeInFlight(`update public.contacts set ${edit} where id = $1`, contactId, during);
}

/** Runs `during` while another session holds `change` (of the contact $1) uncommitted, then commits it. */
async function withChangeInFlight<T>(change: string, contactId: string, during: () => Promise<T>): Promise<T> {
  const editor = new pg.Client({ connectionString: stack.dbUrl });
  await editor.connect();
  try {
    await editor.query("begin");
    await editor.query(change, [contactId]);
    const pending = during();
    await untilWaitingForALock(editor, pending);
    await editor.query("commit");
    return await pending;
  } finally {
    await editor.end();
  }
}

Deno.test("import batches and undo beside an edit in flight", async (t) => {
  const owner = await createOwner("edits");
  try {
    await t.step("a batch updating a contact waits for the edit and keeps it", async () => {
      const [{ id }] = await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name, job_title) values ($1, 'Old', 'Old title') returning id`, [owner.id]);
      await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values ($1, $2, 'email', 'edit@example.com')`,
        [owner.id, id]);
      const job = await processingJob(owner.id, "e".repeat(64));
      const counts = await withEditInFlight(id, "job_title = 'Edited title'", async () =>
        (await sql<{ counts: Record<string, number> }>(
          `select private.import_contacts_batch($1, $2::json, '[]'::json, 100, 3) as counts`,
          [job, JSON.stringify([row(2, "edit@example.com", "Imported")])],
        ))[0].counts);
      assertEquals(counts, { created: 0, updated: 1, skipped: 0, failed: 0 });
      const [contact] = await sql(`select first_name, display_name, job_title from public.contacts where id = $1`, [id]);
      assertEquals(contact, { first_name: "Imported", display_name: "Imported", job_title: "Edited title" },
        "the import's name, and the display name made from it, on top of the owner's edit");
      const [change] = await sql(`select previous from public.contact_import_changes where job_id = $1`, [job]);
      assertEquals(change, { previous: { first_name: "Old", display_name: "Old" } }, "undo would restore only what the import changed");
    });

    await t.step("undo waits for an edit of a contact the import created, then keeps it", async () => {
      const job = await processingJob(owner.id, "f".repeat(64));
      await sql(`select private.import_contacts_batch($1, $2::json, '[]'::json, 100, 3)`,
        [job, JSON.stringify([row(2, "created@example.com", "Created")])]);
      await sql(`update public.contact_import_jobs set status = 'completed', total_rows = processed_rows where id = $1`, [job]);
      const [{ id }] = await sql<{ id: string }>(`select contact_id as id from public.contact_import_changes where job_id = $1`, [job]);
      const summary = await withEditInFlight(id, "job_title = 'Met at the fair'", async () =>
        (await sql<{ summary: Record<string, unknown> }>(`select private.undo_import_job($1) as summary`, [job]))[0].summary);
      assertEquals(summary, { done: true, removed: 0, restored: 0, kept: 1 });
      const [contact] = await sql(`select job_title from public.contacts where id = $1`, [id]);
      assertEquals(contact, { job_title: "Met at the fair" }, "the edited contact survives the undo");
    });

    await t.step("a resume made while an undo waits for a contact is refused once the undo commits", async () => {
      const job = await processingJob(owner.id, "a".repeat(64));
      await sql(`select private.import_contacts_batch($1, $2::json, '[]'::json, 100, 3)`,
        [job, JSON.stringify([row(2, "raced@example.com", "Raced")])]);
      await sql(`update public.contact_import_jobs set status = 'failed' where id = $1`, [job]);
      const [{ id }] = await sql<{ id: string }>(`select contact_id as id from public.contact_import_changes where job_id = $1`, [job]);
      const editor = new pg.Client({ connectionString: stack.dbUrl });
      await editor.connect();
      try {
        await editor.query("begin");
        await editor.query(`update public.contacts set job_title = 'Busy' where id = $1`, [id]);
        const undo = sql(`select private.undo_import_job($1) as summary`, [job]);
        await untilWaitingForALock(editor, undo);
        // As POST .../resume reopens a failed job.
        const reopen = sql(`update public.contact_import_jobs set status = 'processing' where id = $1 and status = 'failed' returning id`, [job]);
        await untilWaitingForALock(editor, reopen, 2);
        await editor.query("commit");
        const [undone, reopened] = await Promise.allSettled([undo, reopen]);
        assertEquals(undone.status, "fulfilled");
        assertEquals(reopened.status === "rejected" && (reopened.reason as { code?: string }).code, "55000", "the resume is refused");
      } finally {
        await editor.end();
      }
      const [state] = await sql(`select status, undo_summary is not null as undone from public.contact_import_jobs where id = $1`, [job]);
      assertEquals(state, { status: "failed", undone: true }, "never a running job marked undone");
    });

    await t.step("undo keeps a contact the import updated when an interaction used the channel the import added", async () => {
      const [{ id }] = await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name) values ($1, 'Eve') returning id`, [owner.id]);
      await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values ($1, $2, 'email', 'eve@example.com')`,
        [owner.id, id]);
      const job = await processingJob(owner.id, "b".repeat(64));
      const evelyn = { ...row(2, "eve@example.com", "Evelyn"), channels: [...row(2, "eve@example.com", "Evelyn").channels,
        { t: "phone", v: "+442079460123", nv: "+442079460123", p: false, col: "phone" }] };
      await sql(`select private.import_contacts_batch($1, $2::json, '[]'::json, 100, 3)`, [job, JSON.stringify([evelyn])]);
      await sql(`update public.contact_import_jobs set status = 'completed', total_rows = processed_rows where id = $1`, [job]);
      await sql(`insert into public.contact_interactions (user_id, contact_id, channel_id, channel_type, direction, content)
                 select $1, $2, ch.id, 'phone', 'outbound', 'Called Evelyn' from public.contact_communication_channels ch
                 where ch.contact_id = $2 and ch.channel_type = 'phone'`, [owner.id, id]);
      const [{ summary }] = await sql<{ summary: Record<string, unknown> }>(`select private.undo_import_job($1) as summary`, [job]);
      assertEquals(summary, { done: true, removed: 0, restored: 0, kept: 1 });
      const [contact] = await sql(
        `select c.first_name, (select count(*)::int from public.contact_interactions i where i.contact_id = c.id and i.channel_id is not null) as linked
         from public.contacts c where c.id = $1`, [id]);
      assertEquals(contact, { first_name: "Evelyn", linked: 1 }, "kept as it is, the phone and the call's link to it with it");
    });

    await t.step("a batch whose contact is deleted while it waits is refused, and planned again creates the row", async () => {
      const [{ id }] = await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name) values ($1, 'Deleted') returning id`, [owner.id]);
      await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values ($1, $2, 'email', 'gone@example.com')`,
        [owner.id, id]);
      const job = await processingJob(owner.id, "d".repeat(64));
      const batch = () =>
        sql<{ counts: Record<string, number> }>(`select private.import_contacts_batch($1, $2::json, '[]'::json, 100, 3) as counts`,
          [job, JSON.stringify([row(2, "gone@example.com", "Imported")])]);
      const refusal = await withChangeInFlight(`delete from public.contacts where id = $1`, id, () =>
        assertRejects(batch));
      assertEquals((refusal as { code?: string }).code, "40001", "a serialization failure, which the worker retries");
      const [progress] = await sql(`select processed_rows::int, updated_count::int from public.contact_import_jobs where id = $1`, [job]);
      assertEquals(progress, { processed_rows: 0, updated_count: 0 }, "the refused batch counted nothing");

      const [{ counts }] = await batch();
      assertEquals(counts, { created: 1, updated: 0, skipped: 0, failed: 0 }, "planned again, the row is a new contact");
      const contacts = await sql<{ id: string; first_name: string }>(
        `select c.id, c.first_name from public.contacts c join public.contact_communication_channels ch on ch.contact_id = c.id
         where ch.user_id = $1 and ch.normalized_identifier = 'gone@example.com'`, [owner.id]);
      assertEquals(contacts.map((c) => c.first_name), ["Imported"]);
      assertNotEquals(contacts[0].id, id, "a new contact, not the deleted one back");
    });
  } finally {
    await removeOwners(owner);
  }
});
