// gdpr-delete end to end: the real gateway, function and database, real tokens; supabase-js
// functions.invoke and raw fetch. Erasure leaves nothing of the subject in any column of any table,
// anonymization keeps the aggregates, the receipt verifies later with the identifier only, the
// subject cannot be re-imported, legal holds and other owners are refused, repeats are safe, and a
// concurrent import or edit of the same contact neither deadlocks nor survives the erasure.
import { assert, assertEquals, assertMatch, assertNotEquals } from "@std/assert/mod.js";
import pg from "pg";
import { assertError, assertGuarded } from "./_support/http.ts";
import { claimsSession } from "./_support/sessions.ts";
import { storedFile, storedUploads } from "./_support/import.ts";
import { call, createOwner, nonRfcUuid, removeOwners, serviceClient, sql, stack, userClient, userToken } from "./_support/stack.ts";

const FN = "gdpr-delete";

interface Receipt {
  request_id: string;
  mode: string;
  processed_at: string;
  actor: { role: string; user_id: string | null };
  contact_ids: string[];
  counts: Record<string, number>;
  identifier_hashes: string[];
}

const contact = async (userId: string, first: string, last: string, extra = "") =>
  (await sql<{ id: string }>(
    `insert into public.contacts (user_id, first_name, last_name${extra ? ", legal_hold, legal_hold_reason" : ""})
     values ($1, $2, $3${extra ? ", true, 'litigation'" : ""}) returning id`,
    [userId, first, last],
  ))[0].id;
const channel = (userId: string, contactId: string, type: string, identifier: string) =>
  sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values ($1, $2, $3, $4)`,
    [userId, contactId, type, identifier]);
const interactions = (userId: string, contactId: string, n: number, words: string) =>
  sql(`insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, metadata, occurred_at)
       select $1, $2, 'email', 'outbound', $4 || ' #' || i, jsonb_build_object('note', $4), now() - make_interval(days => i)
       from generate_series(1, $3::integer) i`, [userId, contactId, n, words]);

/** Every text-like column of every table outside the system schemas that holds one of the terms. */
async function scan(terms: string[]): Promise<string[]> {
  const rows = await sql<{ location: string; hits: string }>(
    `select format('%I.%I.%I', n.nspname, c.relname, a.attname) as location,
       (xpath('/row/n/text()', query_to_xml(format(
         'select count(*) as n from %I.%I t where exists (select 1 from unnest(%L::text[]) term where strpos(lower(t.%I::text), lower(term)) > 0)',
         n.nspname, c.relname, $1::text[], a.attname), false, true, '')))[1]::text as hits
     from pg_catalog.pg_attribute a
     join pg_catalog.pg_class c on c.oid = a.attrelid
     join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
       and c.relkind in ('r', 'p') and c.relpersistence = 'p' and a.attnum > 0 and not a.attisdropped
       and a.atttypid in ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'text[]'::regtype, 'json'::regtype,
                          'jsonb'::regtype, 'tsvector'::regtype)`,
    [terms],
  );
  return rows.filter((r) => Number(r.hits) > 0).map((r) => `${r.location}: ${r.hits}`);
}

/**
 * A failed import of one row, as a worker stopped part-way leaves it: resumable, its upload kept in
 * the local Storage folder; its change log names `created` when given.
 */
async function failedImport(ownerId: string, row: string, created?: string): Promise<{ id: string; name: string }> {
  const csv = `first_name,last_name,email\n${row}\n`;
  const name = `${crypto.randomUUID()}.csv`;
  Deno.writeTextFileSync(storedFile(ownerId, name), csv);
  const [{ id }] = await sql<{ id: string }>(
    `insert into public.contact_import_jobs (user_id, file_name, file_size_bytes, file_sha256, storage_path, source, status)
     values ($1, 'people.csv', $2, repeat('e', 64), $3, 'upload', 'pending') returning id`,
    [ownerId, csv.length, `imports/${ownerId}/${name}`],
  );
  await sql(`update public.contact_import_jobs set status = 'failed' where id = $1`, [id]);
  if (created) {
    await sql(`insert into public.contact_import_changes (job_id, contact_id, user_id, action, contact_updated_at, row_number)
               select $1, id, user_id, 'created', updated_at, 2 from public.contacts where id = $2`, [id, created]);
  }
  return { id, name };
}

const post = (token: string, body: unknown) => call(FN, { method: "POST", token, body: JSON.stringify(body) });
const verify = (token: string, query: string) => call(FN, { method: "GET", token, path: `?${query}` });

Deno.test("gdpr-delete", { sanitizeResources: false, sanitizeOps: false }, async (t) => {
  const owner = await createOwner("delete-owner");
  const stranger = await createOwner("delete-stranger");
  const agent = (await sql<{ id: string }>(`insert into public.agents (user_id, name) values ($1, 'helper') returning id`, [owner.id]))[0].id;
  try {
    await t.step("erase by identifier through supabase-js: a receipt, and nothing of the subject left in any column", async () => {
      const subject = await contact(owner.id, "Zephyrine", "Quockerwodger");
      const second = await contact(owner.id, "Z.", "Quockerwodger");
      await channel(owner.id, subject, "email", "zephyrine@quockerwodger.example");
      await channel(owner.id, subject, "phone", "+44 7700 900777");
      await channel(owner.id, second, "whatsapp", "+447700900777");
      await interactions(owner.id, subject, 25, "Dear Zephyrine Quockerwodger");
      const terms = ["zephyrine", "quockerwodger", "7700900777", "7700 900777"];
      assert((await scan(terms)).length >= 6, "the scan finds the subject before");

      const { data, error } = await userClient(await owner.token()).functions.invoke<Receipt>(FN, {
        body: { identifier: "07700 900777", default_country: "GB" },
      });
      assertEquals(error, null);
      assertEquals(new Set(data!.contact_ids), new Set([subject, second]));
      assertEquals(data!.mode, "erase");
      assertEquals(data!.counts.contacts, 2);
      assertEquals(data!.counts.contact_interactions, 25);
      assertEquals(data!.counts.contact_communication_channels, 3);
      assertEquals(data!.actor, { role: "owner", user_id: owner.id });
      assertEquals(data!.identifier_hashes.length, 2, "one hash for the e-mail, one for the number");
      assertEquals(await scan(terms), [], "no text-like column of any table holds the subject");
    });

    await t.step("the receipt verifies with the identifier only: GET answers 'erased on <date>'", async () => {
      const token = await owner.token();
      const byEmail = await verify(token, "identifier=Zephyrine%40Quockerwodger.example");
      assertEquals(byEmail.status, 200, JSON.stringify(byEmail.body));
      const answer = byEmail.body as { erased: boolean; erased_on: string; held_by_contacts: number; message: string; receipts: unknown[] };
      assertEquals([answer.erased, answer.held_by_contacts], [true, 0]);
      assertMatch(answer.message, /^erased on \d{4}-\d{2}-\d{2}$/);
      assertEquals(answer.receipts.length, 1);
      const { data } = await userClient(token).functions.invoke(`${FN}?identifier=%2B447700900777`, { method: "GET" });
      assertEquals((data as { erased: boolean }).erased, true, "through supabase-js too, by phone");
      const strangers = await verify(await stranger.token(), "identifier=zephyrine%40quockerwodger.example");
      assertEquals((strangers.body as { erased: boolean }).erased, false, "another owner learns nothing");
      assertError(await verify(token, ""), 422, "validation_failed");
      assertError(await verify(token, "identifier=Zephyrine"), 422, "validation_failed");
    });

    await t.step("asking writes nothing: a token whose sub names no user is answered as a user without data", async () => {
      const nobody = await verify(await userToken(crypto.randomUUID()), "identifier=zephyrine%40quockerwodger.example");
      assertEquals(nobody.status, 200, JSON.stringify(nobody.body));
      assertEquals((nobody.body as { erased: boolean; message: string }).message, "no erasure recorded for this identifier");
      const fresh = await createOwner("gdpr-delete-asker");
      try {
        assertEquals((await verify(await fresh.token(), "identifier=%2B447700900777")).status, 200);
        const keys = await sql(`select 1 from private.owner_keys where user_id = $1`, [fresh.id]);
        assertEquals(keys.length, 0, "the check made no key for an owner who never erased anyone");
      } finally {
        await removeOwners(fresh);
      }
    });

    await t.step("an erased subject cannot be re-imported: the insert path refuses it as suppressed", async () => {
      const newcomer = await contact(owner.id, "New", "Import");
      const refused = await channel(owner.id, newcomer, "email", "ZEPHYRINE@quockerwodger.example").then(
        () => null,
        (error: { code: string; message: string }) => error,
      );
      assertEquals(refused?.code, "23514");
      assertMatch(refused!.message, /suppressed/);
      await channel(stranger.id, await contact(stranger.id, "Same", "Address"), "email", "zephyrine@quockerwodger.example");
    });

    await t.step("anonymize keeps the rows for aggregates and wipes every personal field", async () => {
      const subject = await contact(owner.id, "Brunhilda", "Fenwickshaw");
      await channel(owner.id, subject, "email", "brunhilda@fenwickshaw.example");
      await interactions(owner.id, subject, 7, "Brunhilda Fenwickshaw wrote");
      const count = async () => Number((await sql<{ n: string }>(
        `select count(*) as n from public.contact_interactions where user_id = $1 and contact_id = $2`, [owner.id, subject]))[0].n);
      const response = await post(await owner.token(), { contact_id: subject, mode: "anonymize" });
      assertEquals(response.status, 200, JSON.stringify(response.body));
      assertEquals((response.body as Receipt).counts.contact_interactions, 7);
      assertEquals(await count(), 7, "the interactions still count");
      assertEquals(await scan(["brunhilda", "fenwickshaw"]), []);
    });

    await t.step("a contact under legal hold: 409 with a clear message, nothing changed", async () => {
      const held = await contact(owner.id, "Held", "Tight", "hold");
      await channel(owner.id, held, "email", "held@tight.example");
      const state = () =>
        sql(`select (select to_jsonb(c) from public.contacts c where id = $1) as contact,
                    (select count(*) from public.contact_communication_channels where contact_id = $1) as channels,
                    (select count(*) from public.contact_suppressions where user_id = $2) as suppressions,
                    (select count(*) from public.contact_subject_requests where user_id = $2) as requests`, [held, owner.id]);
      const before = await state();
      for (const mode of ["erase", "anonymize"]) {
        const response = await post(await owner.token(), { identifier: "held@tight.example", mode });
        assertError(response, 409, "conflict");
        assertEquals((response.body as { message: string }).message, "contact is under legal hold and cannot be erased or anonymized");
      }
      assertEquals(await state(), before, "the contact, its channel, the suppression list and the receipts are as before");
    });

    await t.step("repeating a delete: the same receipt (by idempotency key or contact id), never a 500", async () => {
      const subject = await contact(owner.id, "Twice", "Asked");
      const key = crypto.randomUUID();
      const first = await post(await owner.token(), { contact_id: subject, idempotency_key: key });
      assertEquals(first.status, 200);
      const again = await post(await owner.token(), { contact_id: subject, idempotency_key: key });
      assertEquals(again.status, 200);
      assertEquals(again.body, first.body);
      const byId = await post(await owner.token(), { contact_id: subject });
      assertEquals(byId.body, first.body);
      const [a, b] = await Promise.all([post(await owner.token(), { contact_id: subject }), post(await owner.token(), { contact_id: subject })]);
      assertEquals([a.status, b.status], [200, 200]);
      assertError(await post(await owner.token(), { contact_id: crypto.randomUUID() }), 404, "not_found");
      // The same key for another subject is a mistake of the client, answered as one, and erases nothing.
      const other = await contact(owner.id, "Other", "Subject");
      const reused = await post(await owner.token(), { contact_id: other, idempotency_key: key });
      assertError(reused, 422, "validation_failed");
      assertEquals((reused.body as { message: string }).message, "this idempotency key belongs to another request");
      assertEquals((await sql(`select 1 from public.contacts where id = $1`, [other])).length, 1, "the other subject is still there");
    });

    await t.step("repeats of an erasure of traces only, sent at once: the same receipt for each, never a 404", async () => {
      const token = await owner.token();
      const [{ id: jobId }] = await sql<{ id: string }>(
        `insert into public.contact_import_jobs (user_id, file_name, file_size_bytes, file_sha256, storage_path, source, status)
         values ($1::uuid, 'rita.csv', 1, repeat('c', 64), 'imports/' || $1::text || '/rita.csv', 'upload', 'pending') returning id`,
        [owner.id],
      );
      await sql(`insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
                 values ($1, $2, 2, 'email', 'rita@racing.example', 'duplicate_in_file: the same address twice')`, [owner.id, jobId]);
      const body = JSON.stringify({ identifier: "rita@racing.example", idempotency_key: crypto.randomUUID() });
      const answers = await Promise.all(Array.from({ length: 4 }, () => call(FN, { method: "POST", token, body })));
      assertEquals(answers.map((a) => a.status), [200, 200, 200, 200], JSON.stringify(answers.map((a) => a.body)));
      assertEquals(new Set(answers.map((a) => (a.body as Receipt).request_id)).size, 1, "one receipt");
      await sql(`delete from public.contact_import_jobs where id = $1`, [jobId]);
    });

    await t.step("other owners' contacts answer 404; agents 403; malformed agent claims and the anon keys 401; owner_id is the service's", async () => {
      const theirs = await contact(stranger.id, "Not", "Yours");
      assertError(await post(await owner.token(), { contact_id: theirs }), 404, "not_found");
      assertError(await post(await owner.token(), { contact_id: theirs, owner_id: stranger.id }), 403, "forbidden");
      assertError(await post(await owner.agentToken(agent), { contact_id: theirs }), 403, "forbidden");
      assertError(await verify(await owner.agentToken(agent), "identifier=a%40b.example"), 403, "forbidden");
      assertEquals((await sql(`select 1 from public.contacts where id = $1`, [theirs])).length, 1, "still there");
      const mine = await contact(owner.id, "Claimed", "Byagent");
      const malformed = await owner.token({ extraClaims: { agent_id: "not-a-uuid" } });
      assertError(await post(malformed, { contact_id: mine }), 401, "invalid_token");
      assertError(await verify(malformed, "identifier=a%40b.example"), 401, "invalid_token");
      assertEquals((await sql(`select 1 from public.contacts where id = $1`, [mine])).length, 1, "an agent claim that is not a uuid erases nothing");
      for (const key of [{ headers: { apikey: stack.publishableKey } }, { token: stack.anonKey }]) {
        assertError(await call(FN, { method: "POST", body: JSON.stringify({ contact_id: mine }), ...key }), 401);
      }
      assertEquals((await sql(`select 1 from public.contacts where id = $1`, [mine])).length, 1, "the anon keys erase nothing");
      const { data, error } = await serviceClient().functions.invoke<Receipt>(FN, { body: { contact_id: theirs, owner_id: stranger.id } });
      assertEquals(error, null);
      assertEquals(data!.actor, { role: "service", user_id: null });
      const unnamed = await serviceClient().functions.invoke(FN, { body: { contact_id: crypto.randomUUID() } });
      assertEquals((unnamed.error as { context: Response }).context.status, 422, "the service must name the owner");
    });

    await t.step("a failed import whose file holds the subject is given up, and its upload leaves Storage", async () => {
      // The owner's failed job created the subject, the stranger's reported the same address.
      const subject = await contact(owner.id, "Upla", "Dedperson");
      await channel(owner.id, subject, "email", "upla@dedperson.example");
      const mine = await failedImport(owner.id, "Upla,Dedperson,upla@dedperson.example", subject);
      const theirs = await failedImport(stranger.id, "Upla,Dedperson,upla@dedperson.example");
      await sql(`insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
                 values ($1, $2, 2, 'email', 'upla@dedperson.example', 'duplicate_in_file: the same address twice')`, [stranger.id, theirs.id]);

      const receipt = await post(await owner.token(), { identifier: "upla@dedperson.example" });
      assertEquals(receipt.status, 200, JSON.stringify(receipt.body));
      assertEquals((receipt.body as Receipt).counts.import_uploads, 1);
      const status = async (id: string) => (await sql<{ status: string }>(`select status from public.contact_import_jobs where id = $1`, [id]))[0].status;
      assertEquals(await status(mine.id), "cancelled", "it cannot resume the file any more");
      assertEquals(await status(theirs.id), "failed", "another owner's import naming the same address stays");
      const run = await call("contacts-retention", { method: "POST", body: JSON.stringify({ owner: owner.id }), headers: { apikey: stack.secretKey } });
      assertEquals(run.status, 200, JSON.stringify(run.body));
      assertEquals(storedUploads(owner.id).includes(mine.name), false, "the upload holding the subject's row is gone");
      assert(storedUploads(stranger.id).includes(theirs.name), "the other owner's upload stays");
    });

    await t.step("an undo of the failed import that created the subject, under way: the erasure does not wait for it, no deadlock", async () => {
      const subject = await contact(owner.id, "Undo", "Underway");
      const job = await failedImport(owner.id, "Undo,Underway,undo@underway.example", subject);
      // The undo locks its job first, then the job's contacts: the reverse of an erasure's order.
      const undo = await claimsSession({ sub: owner.id });
      try {
        await undo.query(`select 1 from public.contact_import_jobs where id = $1 for update`, [job.id]);
        const receipt = await post(await owner.token(), { contact_id: subject });
        assertEquals(receipt.status, 200, JSON.stringify(receipt.body));
        assertEquals((receipt.body as Receipt).counts.import_uploads, 0, "the job being undone is left to its undo");
        const { rows } = await undo.query(`select private.undo_import_job($1) as summary`, [job.id]);
        assertEquals(rows[0].summary.removed, 0, "the undo finds the contact erased, and ends");
        await undo.query("commit");
      } finally {
        await undo.end();
      }
    });

    await t.step("a concurrent import on the same contact: the erasure waits, then takes what it added, no deadlock", async () => {
      const subject = await contact(owner.id, "Racy", "Importee");
      await channel(owner.id, subject, "email", "racy@importee.example");
      await interactions(owner.id, subject, 5, "Racy");
      const importer = new pg.Client({ connectionString: stack.dbUrl });
      await importer.connect();
      try {
        // The import updates the contact, then adds a channel (the contact first, as imports do).
        await importer.query("begin");
        await importer.query(`update public.contacts set job_title = 'Imported' where id = $1`, [subject]);
        await importer.query(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
                              values ($1, $2, 'phone', '+33 6 11 22 33 44')`, [owner.id, subject]);
        const erasure = post(await owner.token(), { identifier: "racy@importee.example" });
        await new Promise((resolve) => setTimeout(resolve, 400));
        await importer.query(`insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content)
                              values ($1, $2, 'phone', 'inbound', 'Racy called')`, [owner.id, subject]);
        await importer.query("commit");
        const response = await erasure;
        assertEquals(response.status, 200, JSON.stringify(response.body));
        const receipt = response.body as Receipt;
        assertEquals(receipt.counts.contact_communication_channels, 2, "the imported channel is erased too");
        assertEquals(receipt.counts.contact_interactions, 6, "and the interaction the import added");
        assertEquals(receipt.identifier_hashes.length, 2, "both identifiers are suppressed");
      } finally {
        await importer.end();
      }
      assertEquals(await scan(["racy", "importee", "33611223344"]), []);
    });

    await t.step("a concurrent edit of the contact: the erasure waits for it, then the subject cannot be added back", async () => {
      const subject = await contact(owner.id, "Late", "Comer");
      await channel(owner.id, subject, "email", "late@comer.example");
      const editor = new pg.Client({ connectionString: stack.dbUrl });
      await editor.connect();
      try {
        await editor.query("begin");
        await editor.query(`update public.contacts set organization = 'Comer Ltd' where id = $1`, [subject]);
        const erasure = post(await owner.token(), { contact_id: subject });
        await new Promise((resolve) => setTimeout(resolve, 300));
        await editor.query("commit");
        const response = await erasure;
        assertEquals(response.status, 200, JSON.stringify(response.body));
        const other = await contact(owner.id, "Another", "Row");
        const refused = await channel(owner.id, other, "email", "late@comer.example").then(() => null, (e: { code: string }) => e);
        assertEquals(refused?.code, "23514");
      } finally {
        await editor.end();
      }
    });

    await t.step("preflight, missing and forged tokens (401 before any SQL), wrong method (405), for POST and GET", async () => {
      const requests = async () =>
        Number((await sql<{ n: string }>(`select count(*) as n from public.contact_subject_requests where user_id = $1`, [owner.id]))[0].n);
      await assertGuarded(FN, { method: "POST", wrongMethod: "PUT", body: JSON.stringify({ contact_id: crypto.randomUUID() }), userId: owner.id, beforeSql: requests });
      await assertGuarded(FN, { method: "GET", wrongMethod: "PATCH", path: "?identifier=a%40b.example", userId: owner.id, beforeSql: requests });
    });

    await t.step("a contact whose id is not an RFC 9562 uuid (keyed by another system) is exported and erased by its id", async () => {
      const id = nonRfcUuid();
      await sql(`insert into public.contacts (id, user_id, first_name, last_name) values ($1, $2, 'Legacy', 'Keyed')`, [id, owner.id]);
      const token = await owner.token();
      const exported = await call("gdpr-export", { method: "POST", token, body: JSON.stringify({ contact_id: id }) });
      assertEquals(exported.status, 200, JSON.stringify(exported.body));
      assertEquals((exported.body as { contact_ids: string[] }).contact_ids, [id]);
      const erased = await post(token, { contact_id: id });
      assertEquals(erased.status, 200, JSON.stringify(erased.body));
      assertEquals((erased.body as Receipt).contact_ids, [id]);
      assertEquals((await sql(`select 1 from public.contacts where id = $1`, [id])).length, 0);
    });

    await t.step("bad input: no subject, both, unknown mode, bad key, unknown fields, bad JSON", async () => {
      const token = await owner.token();
      for (const body of [{}, { contact_id: crypto.randomUUID(), identifier: "a@b.example" }, { contact_id: crypto.randomUUID(), mode: "shred" },
        { contact_id: crypto.randomUUID(), idempotency_key: "nope" }, { identifier: "a@b.example", surprise: true }]) {
        assertError(await post(token, body), 422, "validation_failed");
      }
      assertError(await call(FN, { method: "POST", token, body: "{" }), 400, "malformed_json");
      // An erasure takes its instructions from the body only: one in the query is refused, not
      // dropped (a `?mode=anonymize` used to erase); a repeated query key is refused too.
      const held = (await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name) values ($1, 'Querying') returning id`,
        [owner.id],
      ))[0].id;
      assertError(await call(FN, { method: "POST", token, path: "?mode=anonymize", body: JSON.stringify({ contact_id: held }) }), 422, "validation_failed");
      assertEquals((await sql(`select 1 from public.contacts where id = $1`, [held])).length, 1, "nothing was erased");
      const repeated = await call(FN, { method: "GET", token, path: "?identifier=a@b.example&identifier=c@d.example" });
      assertError(repeated, 422, "validation_failed");
      assertEquals((repeated.body as { details: unknown }).details, { issues: [{ path: "identifier", code: "custom", message: "given more than once" }] });
      await sql(`delete from public.contacts where id = $1`, [held]);
      const receipts = await sql<{ text: string }>(`select r::text as text from public.contact_subject_requests r where user_id = $1`, [owner.id]);
      assertNotEquals(receipts.length, 0);
      assert(receipts.every((r) => !/zephyrine|quockerwodger|7700900777|racy/i.test(r.text)), "no receipt holds personal data");
    });
  } finally {
    await removeOwners(owner, stranger);
  }
});
