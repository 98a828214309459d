// gdpr-export end to end: the real gateway, function and database, real tokens; supabase-js
// functions.invoke and raw fetch. A subject is exported by contact id or by identifier (several
// contacts may match), as JSON or zip, and each export is recorded without personal data.
import { assert, assertEquals, assertExists, assertStringIncludes } from "@std/assert/mod.js";
import { FunctionsHttpError } from "@supabase/supabase-js";
import { unzipSync, strFromU8 } from "fflate";
import { assertCors, assertError, assertGuarded } from "./_support/http.ts";
import { upload, waitForJob } from "./_support/import.ts";
import { call, createOwner, functionUrl, type Owner, removeOwners, serviceClient, sql, stack, userClient } from "./_support/stack.ts";

const FN = "gdpr-export";

interface World {
  owner: Owner;
  stranger: Owner;
  agent: string;
  erin: string;
  erinWork: string;
  sam: string;
  strangersContact: string;
}

async function arrange(): Promise<World> {
  const owner = await createOwner("export-owner");
  const stranger = await createOwner("export-stranger");
  const contact = async (userId: string, first: string, last: string) =>
    (await sql<{ id: string }>(`insert into public.contacts (user_id, first_name, last_name) values ($1, $2, $3) returning id`,
      [userId, first, last]))[0].id;
  const channel = (userId: string, contactId: string, type: string, identifier: string) =>
    sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values ($1, $2, $3, $4)`,
      [userId, contactId, type, identifier]);
  const w = {
    owner,
    stranger,
    agent: (await sql<{ id: string }>(`insert into public.agents (user_id, name) values ($1, 'helper') returning id`, [owner.id]))[0].id,
    erin: await contact(owner.id, "Erin", "Exportable"),
    erinWork: await contact(owner.id, "Erin", "At Work"),
    sam: await contact(owner.id, "Sam", "Sibling"),
    strangersContact: await contact(stranger.id, "Olga", "Outsider"),
  };
  await channel(owner.id, w.erin, "email", "erin@exportable.example");
  await channel(owner.id, w.erin, "phone", "+44 20 7946 0601");
  await channel(owner.id, w.erinWork, "whatsapp", "+442079460601");
  await channel(owner.id, w.sam, "email", "sam@sibling.example");
  await channel(stranger.id, w.strangersContact, "phone", "+442079460601");
  await sql(`insert into public.contact_interactions (user_id, contact_id, agent_id, channel_type, direction, content)
             values ($1, $2, $3, 'email', 'outbound', 'Hello Erin'), ($1, $4, null, 'email', 'outbound', 'Hello Sam')`,
    [owner.id, w.erin, w.agent, w.sam]);
  return w;
}

interface Export {
  request_id: string;
  identifier_type: string | null;
  contact_ids: string[];
  counts: Record<string, number>;
  subjects: Array<Record<string, unknown> & { contact_id: string }>;
}

const post = (token: string, body: unknown, path = "") =>
  call(FN, { method: "POST", token, body: JSON.stringify(body), path });

Deno.test("gdpr-export", { sanitizeResources: false, sanitizeOps: false }, async (t) => {
  const w = await arrange();
  try {
    await t.step("the owner exports a subject by e-mail through supabase-js functions.invoke", async () => {
      const { data, error } = await userClient(await w.owner.token()).functions.invoke<Export>(FN, {
        body: { identifier: "  Erin@Exportable.EXAMPLE " },
      });
      assertEquals(error, null);
      assertEquals(data!.contact_ids, [w.erin]);
      assertEquals(data!.identifier_type, "email");
      const bundle = data!.subjects[0];
      assertEquals((bundle.contacts as Array<{ first_name: string }>)[0].first_name, "Erin");
      assertEquals((bundle.contact_interactions as Array<{ agent_name: string }>)[0].agent_name, "helper");
      for (const key of ["contact_communication_channels", "contact_group_memberships", "agent_specific_contact_access", "contact_audit_log"]) {
        assert(Array.isArray(bundle[key]), `the bundle has a ${key} array`);
      }
    });

    await t.step("a phone number in a national format, with its country, exports every contact that carries it", async () => {
      const response = await post(await w.owner.token(), { identifier: "020 7946 0601", default_country: "gb" });
      assertEquals(response.status, 200, JSON.stringify(response.body));
      const result = response.body as Export;
      assertEquals(new Set(result.contact_ids), new Set([w.erin, w.erinWork]));
      assertEquals(result.subjects.length, 2);
      const text = JSON.stringify(result);
      assert(!text.includes(w.sam) && !text.includes("Sibling"), "nothing about the sibling contact");
      assert(!text.includes(w.strangersContact) && !text.includes("Outsider"), "nothing of the other owner with the same number");
    });

    await t.step("?format=zip answers an archive: the whole export and one file per table and contact", async () => {
      const response = await fetch(`${functionUrl(FN)}?format=zip`, {
        method: "POST",
        headers: { Authorization: `Bearer ${await w.owner.token()}`, "content-type": "application/json" },
        body: JSON.stringify({ contact_id: w.erin }),
      });
      assertEquals(response.status, 200);
      assertEquals(response.headers.get("content-type"), "application/zip");
      assertCors(response.headers);
      const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
      const whole = JSON.parse(strFromU8(files["export.json"])) as Export;
      assertEquals(whole.contact_ids, [w.erin]);
      const channels = JSON.parse(strFromU8(files[`contacts/${w.erin}/contact_communication_channels.json`]));
      assertEquals(channels.length, 2);
      assertExists(files["README.txt"]);
    });

    await t.step("the service exports for an owner it names, through supabase-js with the secret key", async () => {
      const { data, error } = await serviceClient().functions.invoke<Export>(FN, {
        body: { identifier: "+442079460601", owner_id: w.stranger.id },
      });
      assertEquals(error, null);
      assertEquals(data!.contact_ids, [w.strangersContact], "only the named owner's contact with that number");
    });

    await t.step("the service must name the owner (422); an owner cannot name another owner (403)", async () => {
      const { error } = await serviceClient().functions.invoke(FN, { body: { contact_id: w.erin } });
      assert(error instanceof FunctionsHttpError);
      assertEquals(error.context.status, 422);
      assertEquals((await error.context.json()).code, "validation_failed");
      assertError(await post(await w.stranger.token(), { contact_id: w.erin, owner_id: w.owner.id }), 403, "forbidden");
    });

    await t.step("another owner's contact id and an unknown identifier answer 404, revealing nothing", async () => {
      const response = await post(await w.stranger.token(), { contact_id: w.erin });
      assertError(response, 404, "not_found");
      assertEquals((response.body as { message: string }).message, "contact not found");
      assertError(await post(await w.owner.token(), { identifier: "nobody@nowhere.example" }), 404, "not_found");
      assertError(await post(await w.owner.token(), { contact_id: w.strangersContact }), 404, "not_found");
    });

    await t.step("agent-scoped tokens cannot export (403), whatever they name", async () => {
      const token = await w.owner.agentToken(w.agent);
      assertError(await post(token, { contact_id: w.erin }), 403, "forbidden");
      assertError(await post(token, { identifier: "erin@exportable.example" }), 403, "forbidden");
    });

    await t.step("the publishable key and the legacy anon key are not a user: 401, nothing exported", async () => {
      const exports = async () =>
        Number((await sql<{ n: string }>(`select count(*) as n from public.contact_subject_requests where user_id = $1`, [w.owner.id]))[0].n);
      const before = await exports();
      const body = JSON.stringify({ contact_id: w.erin });
      assertError(await call(FN, { method: "POST", body, headers: { apikey: stack.publishableKey } }), 401);
      assertError(await call(FN, { method: "POST", body, token: stack.anonKey }), 401);
      assertEquals(await exports(), before, "no export was recorded");
    });

    await t.step("a token whose agent_id claim is not a uuid is refused (401), never treated as the owner's", async () => {
      const token = await w.owner.token({ extraClaims: { agent_id: "not-a-uuid" } });
      assertError(await post(token, { contact_id: w.erin }), 401, "invalid_token");
    });

    await t.step("bad input: no subject, both, a name, unknown fields, bad country, bad format, bad JSON", async () => {
      const token = await w.owner.token();
      for (const body of [{}, { contact_id: w.erin, identifier: "erin@exportable.example" }, { identifier: "Erin Exportable" },
        { contact_id: "not-a-uuid" }, { contact_id: w.erin, extra: 1 }, { identifier: "020 7946 0601", default_country: "XX" },
        { identifier: "erin@exportable.example\u0000" }]) {
        const response = await post(token, body);
        assertError(response, 422, "validation_failed");
        assert(Array.isArray((response.body as { details: { issues: unknown[] } }).details.issues), "zod issues in details");
      }
      assertError(await post(token, { contact_id: w.erin }, "?format=pdf"), 422, "validation_failed");
      assertError(await call(FN, { method: "POST", token, body: "{nope" }), 400, "malformed_json");
      assertError(await call(FN, { method: "POST", token, body: "x", headers: { "content-type": "text/plain" } }), 415);
    });

    await t.step("preflight, missing and forged tokens (401 before any SQL), wrong method (405)", async () => {
      const exports = async () =>
        Number((await sql<{ n: string }>(`select count(*) as n from public.contact_subject_requests where user_id = $1`, [w.owner.id]))[0].n);
      await assertGuarded(FN, {
        method: "POST",
        wrongMethod: "GET",
        body: JSON.stringify({ contact_id: w.erin }),
        userId: w.owner.id,
        beforeSql: exports,
      });
    });

    await t.step("every export is recorded without personal data, with one audit entry per contact", async () => {
      const records = await sql<{ request_type: string; contact_ids: string[]; actor_role: string; text: string }>(
        `select request_type, contact_ids, actor_role, r::text as text from public.contact_subject_requests r where user_id = $1`,
        [w.owner.id],
      );
      assertEquals(records.length, 3, "three successful exports by the owner");
      assert(records.every((r) => r.request_type === "export" && r.actor_role === "owner"));
      for (const secret of ["Erin", "exportable", "79460601"]) {
        assert(records.every((r) => !r.text.includes(secret)), `no ${secret} in the records`);
      }
      const audit = await sql<{ n: string }>(
        `select count(*) as n from public.contact_audit_log where user_id = $1 and table_name = 'contact_subject_requests'`,
        [w.owner.id],
      );
      assertEquals(Number(audit[0].n), 4, "1 + 2 + 1 exported contacts");
    });

    await t.step("the archive holds stored values exactly as the JSON answer does, numbers a double cannot hold included", async () => {
      const [{ id }] = await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name, metadata)
         values ($1, 'Precise', '{"crm_id": 12345678901234567891, "ratio": 0.1000000000000000000001}') returning id`,
        [w.owner.id],
      );
      const request = { method: "POST", headers: { Authorization: `Bearer ${await w.owner.token()}`, "content-type": "application/json" }, body: JSON.stringify({ contact_id: id }) };
      const answer = await (await fetch(functionUrl(FN), request)).text();
      const files = unzipSync(new Uint8Array(await (await fetch(`${functionUrl(FN)}?format=zip`, request)).arrayBuffer()));
      for (const text of [answer, strFromU8(files["export.json"]), strFromU8(files[`contacts/${id}/contacts.json`])]) {
        assertStringIncludes(text, "12345678901234567891");
        assertStringIncludes(text, "0.1000000000000000000001");
      }
      await sql(`delete from public.contacts where id = $1`, [id]);
    });

    await t.step("an address held as a Slack channel, and a number as a Telegram one in any spelling, reach their contacts too", async () => {
      const [{ id }] = await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name, last_name) values ($1, 'Erin', 'On Chat') returning id`, [w.owner.id]);
      await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
                 values ($1, $2, 'slack', 'erin.chat@exportable.example'), ($1, $2, 'telegram', '+44 20-7946-0699')`, [w.owner.id, id]);
      try {
        for (const identifier of ["Erin.Chat@Exportable.example", "+442079460699"]) {
          const response = await post(await w.owner.token(), { identifier });
          assertEquals([response.status, (response.body as Export).contact_ids], [200, [id]], identifier);
        }
      } finally {
        await sql(`delete from public.contacts where id = $1`, [id]);
      }
    });

    await t.step("a mailbox under a +tag or Gmail's dots, and a number kept with its trunk zero, reach their contacts by the plain identifier", async () => {
      const [{ id }] = await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name, last_name) values ($1, 'Erin', 'Aliased') returning id`, [w.owner.id]);
      const [{ id: other }] = await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name, last_name) values ($1, 'E.', 'Elsewhere') returning id`, [w.owner.id]);
      await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
                 values ($1, $2, 'email', 'Erin.Alias+crm@exportable.example'), ($1, $2, 'other', 'e.rin.alias@googlemail.com'),
                        ($1, $2, 'telegram', '+49 030 7946 0698'), ($1, $3, 'email', 'erinalias@exportable.example')`,
        [w.owner.id, id, other]);
      try {
        for (const identifier of ["erin.alias@exportable.example", "erinalias@gmail.com", "+49 30 7946 0698"]) {
          const response = await post(await w.owner.token(), { identifier });
          assertEquals([response.status, (response.body as Export).contact_ids], [200, [id]], identifier);
        }
      } finally {
        await sql(`delete from public.contacts where id = any ($1)`, [[id, other]]);
      }
    });

    await t.step("the export returns the import report lines and dry-run entries that hold the subject's identifiers", async () => {
      const token = await w.owner.token();
      const file = (first: string) =>
        `first_name,last_name,email\n${first},Newcomer,newt@newcomer.example\nErin,Again,ERIN@exportable.example\nErin,Twice, erin@exportable.example\n`;
      const imported = await upload(token, file("Newt"));
      assertEquals(imported.status, 202, JSON.stringify(imported.body));
      assertEquals((await waitForJob(token, imported.body.id)).status, "completed");
      const previewed = await upload(token, file("Nora"), { dry_run: "true", on_duplicate: "update" });
      assertEquals(previewed.status, 202, JSON.stringify(previewed.body));
      assertEquals((await waitForJob(token, previewed.body.id)).status, "completed");

      const response = await post(token, { contact_id: w.erin });
      assertEquals(response.status, 200, JSON.stringify(response.body));
      const bundle = (response.body as Export).subjects[0];
      const lines = bundle.contact_import_job_errors as Array<{ job_id: string; row_number: number; value_excerpt: string }>;
      assertEquals(lines.map((l) => [l.job_id, l.row_number, l.value_excerpt.trim().toLowerCase()]),
        [[imported.body.id, 3, "erin@exportable.example"], [imported.body.id, 4, "erin@exportable.example"],
          [previewed.body.id, 4, "erin@exportable.example"]],
        "the rows with Erin's address: skipped as an existing contact, and twice a duplicate in the file");
      const entries = bundle.contact_import_dry_run_entries as Array<{ job_id: string; section: string; entry: { row: number; contact_id: string } }>;
      assertEquals(entries.map((e) => [e.job_id, e.section, e.entry.row, e.entry.contact_id]), [[previewed.body.id, "changed", 3, w.erin]],
        "the dry run's change to Erin");
      const text = JSON.stringify(bundle);
      assert(!text.includes("newt@") && !text.includes("Newcomer"), "nothing of the other rows of the files");
      assertEquals((response.body as Export).counts.contact_import_job_errors, lines.length);
    });

    await t.step("an address no contact holds, found in an import report, answers its traces (JSON and zip); found nowhere, 404", async () => {
      const token = await w.owner.token();
      const [{ id: jobId }] = await sql<{ id: string }>(
        `insert into public.contact_import_jobs (user_id, file_name, file_size_bytes, file_sha256, storage_path, source, status)
         values ($1::uuid, 'nell.csv', 1, repeat('b', 64), 'imports/' || $1::text || '/nell.csv', 'upload', 'pending') returning id`,
        [w.owner.id],
      );
      await sql(`insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
                 values ($1, $2, 2, 'email', 'nell@nevercontact.example', 'duplicate_in_file: the same address twice')`, [w.owner.id, jobId]);
      const found = await post(token, { identifier: "NELL@nevercontact.example" });
      assertEquals(found.status, 200, JSON.stringify(found.body));
      const bundle = found.body as Export & { traces: { counts: Record<string, number>; contact_import_job_errors: Array<{ job_id: string }> } };
      assertEquals([bundle.contact_ids, bundle.subjects], [[], []]);
      assertEquals(bundle.traces.counts.contact_import_job_errors, 1);
      assertEquals(bundle.traces.contact_import_job_errors.map((l) => l.job_id), [jobId]);
      const zip = await fetch(`${functionUrl(FN)}?format=zip`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ identifier: "nell@nevercontact.example" }),
      });
      assertEquals(zip.status, 200);
      const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
      assertEquals(JSON.parse(strFromU8(files["traces/contact_import_job_errors.json"])).length, 1);
      assertError(await post(token, { identifier: "nobody@nevercontact.example" }), 404, "not_found");
    });

    await t.step("the export lists the merges into the subject's contact (JSON and zip), never another owner's record of the same ids", async () => {
      const token = await w.owner.token();
      const [{ id: twin }] = await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name, last_name) values ($1, 'Erin', 'Twin') returning id`, [w.owner.id]);
      const merged = await call("contacts-merge", { method: "POST", token, body: JSON.stringify({ survivor_id: w.erin, duplicate_id: twin }) });
      assertEquals(merged.status, 200, JSON.stringify(merged.body));
      const report = merged.body as { merge_id: string; row_counts: Record<string, unknown> };
      // Another owner's record naming Erin and her twin: no foreign key stops it, the owner scope must.
      const [{ id: foreign }] = await sql<{ id: string }>(
        `insert into public.contact_merges (user_id, survivor_id, duplicate_id, row_counts, actor_role)
         values ($1, $2, $3, '{}', 'owner') returning id`, [w.stranger.id, w.erin, twin]);

      interface Merge { merge_id: string; survivor_id: string; duplicate_id: string; actor_role: string; row_counts: unknown }
      const response = await post(token, { contact_id: w.erin });
      assertEquals(response.status, 200, JSON.stringify(response.body));
      const merges = (response.body as Export).subjects[0].merges as Merge[];
      assertEquals(merges.map((m) => [m.merge_id, m.survivor_id, m.duplicate_id, m.actor_role]), [[report.merge_id, w.erin, twin, "owner"]]);
      assertEquals(merges[0].row_counts, report.row_counts, "the rows moved, as the merge reported them");
      assertEquals((response.body as Export).counts.merges, 1);
      assert(!JSON.stringify(response.body).includes(foreign), "not the other owner's record");

      const { data, error } = await serviceClient().functions.invoke<Export>(FN, { body: { contact_id: w.erin, owner_id: w.owner.id } });
      assertEquals(error, null);
      assertEquals((data!.subjects[0].merges as Merge[]).map((m) => m.merge_id), [report.merge_id], "the service sees the owner's merge only");

      const zip = await fetch(`${functionUrl(FN)}?format=zip`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ contact_id: w.erin }),
      });
      assertEquals(zip.status, 200);
      const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
      assertEquals((JSON.parse(strFromU8(files[`contacts/${w.erin}/merges.json`])) as Merge[]).map((m) => m.merge_id), [report.merge_id]);
      assert(strFromU8(files["README.txt"]).includes("merges.json"), "the archive's README describes merges.json");
    });
  } finally {
    await removeOwners(w.owner, w.stranger);
  }
});
