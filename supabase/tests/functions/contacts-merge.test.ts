// contacts-merge end to end: the real gateway, function and database, real tokens; supabase-js
// functions.invoke and raw fetch. GET lists candidate duplicate pairs (paged by a signed cursor),
// POST merges one pair (dry_run reports exactly what would move and writes nothing).
import { assert, assertEquals, assertExists, assertNotEquals } from "@std/assert/mod.js";
import { FunctionsHttpError } from "@supabase/supabase-js";
import { assertCors, assertError, assertGuarded } from "./_support/http.ts";
import { call, createOwner, nonRfcUuid, type Owner, removeOwners, serviceClient, sql, userClient } from "./_support/stack.ts";

const FN = "contacts-merge";

interface World {
  owner: Owner;
  stranger: Owner;
  agent: string;
  ada: string; // survivor
  adaAgain: string; // duplicate of Ada: same mailbox (Gmail dots), her number on WhatsApp, same organization
  grace: string;
  graceAgain: string; // duplicate of Grace: same external id up to case
  held: string; // under legal hold, duplicate of nobody in particular
  strangersContact: string;
}

async function arrange(): Promise<World> {
  const owner = await createOwner("merge-owner");
  const stranger = await createOwner("merge-stranger");
  const contact = async (userId: string, name: string, organization: string | null, externalId: string | null = null, hold = false) =>
    (await sql<{ id: string }>(
      `insert into public.contacts (user_id, display_name, organization, external_id, legal_hold, legal_hold_reason)
       values ($1, $2, $3, $4, $5, case when $5 then 'Litigation' end) returning id`,
      [userId, name, organization, externalId, hold],
    ))[0].id;
  const channel = (userId: string, contactId: string, type: string, identifier: string, primary = true) =>
    sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary)
         values ($1, $2, $3, $4, $5)`, [userId, contactId, type, identifier, primary]);

  const ada = await contact(owner.id, "Ada Lovelace", "Analytical Engines");
  const adaAgain = await contact(owner.id, "ADA LOVELACE", "Analytical Engines");
  const grace = await contact(owner.id, "Grace Hopper", "Navy", "HR-001");
  const graceAgain = await contact(owner.id, "Grace B. Hopper", null, "hr-001");
  const held = await contact(owner.id, "Held Person", null, null, true);
  const strangersContact = await contact(stranger.id, "Ada Lovelace", "Analytical Engines");
  await channel(owner.id, ada, "email", "ada.lovelace@gmail.com");
  await channel(owner.id, ada, "phone", "+442079460018");
  await channel(owner.id, adaAgain, "email", "adalovelace@gmail.com");
  await channel(owner.id, adaAgain, "whatsapp", "+44 20 7946 0018");
  await channel(stranger.id, strangersContact, "email", "ada.lovelace@gmail.com");
  await sql(
    `insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content)
     select $1, $2, 'other', 'internal', 'Note ' || n from generate_series(1, 25) as n`,
    [owner.id, adaAgain],
  );
  const agent = (await sql<{ id: string }>(`insert into public.agents (user_id, name) values ($1, 'Writer') returning id`, [owner.id]))[0].id;
  await sql(`insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level)
             values ($1, $2, 'all_contacts', 'write')`, [owner.id, agent]);
  return { owner, stranger, agent, ada, adaAgain, grace, graceAgain, held, strangersContact };
}

interface Candidate {
  survivor_id: string;
  duplicate_id: string;
  score: number;
  reasons: string[];
}
interface Page {
  candidates: Candidate[];
  next_cursor: string | null;
}
interface Report {
  status: string;
  merge_id: string | null;
  row_counts: { moved: Record<string, number>; dropped: Record<string, number>; demoted_primary_channels: number };
  channels?: { moved: string[]; demoted_to_secondary: string[] };
  fields?: Record<string, { from: string; value: unknown }>;
}

const get = (token: string, query = "") => call(FN, { method: "GET", token, path: query ? `?${query}` : "" });
const post = (token: string, body: unknown) => call(FN, { method: "POST", token, body: JSON.stringify(body) });

/** Everything about a contact, table by table, as the superuser sees it. */
const footprint = async (contactId: string) =>
  (await sql<{ table_name: string; n: string }>(
    `select c.relname as table_name,
       (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from public.%I where contact_id = %L', c.relname, $1::text),
         false, true, '')))[1]::text as n
     from pg_catalog.pg_class c join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attname = 'contact_id'
     where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' order by 1`,
    [contactId],
  )).map((row) => `${row.table_name}=${row.n}`);

const mergeCount = async (userId: string) =>
  Number((await sql<{ n: string }>(`select count(*) as n from public.contact_merges where user_id = $1`, [userId]))[0].n);

Deno.test("contacts-merge", { sanitizeResources: false, sanitizeOps: false }, async (t) => {
  const w = await arrange();
  try {
    await t.step("an owner lists candidate pairs through supabase-js functions.invoke (GET)", async () => {
      const { data, error } = await userClient(await w.owner.token()).functions.invoke<Page>(FN, { method: "GET" });
      assertEquals(error, null);
      const pairs = data!.candidates.map((c) => [c.survivor_id, c.duplicate_id, c.reasons.join(",")]);
      assertEquals(pairs, [
        [w.ada, w.adaAgain, "same_email,same_phone,similar_name"],
        [w.grace, w.graceAgain, "same_external_id"],
      ]);
      assert(data!.candidates[0].score > data!.candidates[1].score, "strongest pair first");
      assertEquals(data!.next_cursor, null);
    });

    await t.step("candidates page with a signed cursor bound to its query", async () => {
      const token = await w.owner.token();
      const first = await get(token, "limit=1");
      assertEquals(first.status, 200);
      assertCors(first.headers);
      const page = first.body as Page;
      assertEquals(page.candidates.map((c) => c.duplicate_id), [w.adaAgain]);
      assertExists(page.next_cursor);
      const second = (await get(token, `limit=1&cursor=${encodeURIComponent(page.next_cursor!)}`)).body as Page;
      assertEquals(second.candidates.map((c) => c.duplicate_id), [w.graceAgain]);
      assertError(await get(token, `limit=2&cursor=${encodeURIComponent(page.next_cursor!)}`), 400, "invalid_cursor");
      assertError(await get(token, "limit=1&cursor=garbage"), 400, "invalid_cursor");
      const forStranger = await get(await w.stranger.token(), `limit=1&cursor=${encodeURIComponent(page.next_cursor!)}`);
      assertError(forStranger, 400, "invalid_cursor");
    });

    await t.step("the last full page of candidates has no cursor, at any page size up to 200", async () => {
      const token = await w.owner.token();
      const one = (await get(token, "limit=1")).body as Page;
      const last = (await get(token, `limit=1&cursor=${encodeURIComponent(one.next_cursor!)}`)).body as Page;
      assertEquals([last.candidates.length, last.next_cursor], [1, null], "two pairs in pages of one: the second page is the last");
      const both = (await get(token, "limit=2")).body as Page;
      assertEquals([both.candidates.length, both.next_cursor], [2, null], "two pairs in a page of two: no page follows");

      // Exactly 200 pairs (20 contacts sharing a mailbox, 190 pairs, and 5 sharing another, 10),
      // then a 201st: a page of the largest size says whether one follows.
      const many = await createOwner("merge-many");
      try {
        const contacts = async (n: number, address: string) => {
          const ids = (await sql<{ id: string }>(
            `insert into public.contacts (user_id, display_name) select $1, 'Person ' || $2 || ' ' || n
             from generate_series(1, $3::int) as n returning id`,
            [many.id, address, n],
          )).map((row) => row.id);
          // One mailbox under other +tags (one owner holds an address once).
          await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
                     select $1, c.id, 'email', replace($3, '@', '+' || c.n || '@') from unnest($2::uuid[]) with ordinality as c (id, n)`,
            [many.id, ids, address]);
          return ids;
        };
        await contacts(20, "shared@one.example");
        const five = await contacts(5, "shared@two.example");
        const manyToken = await many.token();
        const full = (await get(manyToken, "limit=200")).body as Page;
        assertEquals([full.candidates.length, full.next_cursor], [200, null], "200 pairs in a page of 200: no page follows");
        await contacts(1, "shared@three.example");
        await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
                   select user_id, id, 'email', 'shared+0@three.example' from public.contacts where id = $1`, [five[0]]);
        const more = (await get(manyToken, "limit=200")).body as Page;
        assertEquals(more.candidates.length, 200);
        assertExists(more.next_cursor, "201 pairs: a page follows");
        const rest = (await get(manyToken, `limit=200&cursor=${encodeURIComponent(more.next_cursor!)}`)).body as Page;
        assertEquals([rest.candidates.length, rest.next_cursor], [1, null]);
      } finally {
        await removeOwners(many);
      }
    });

    await t.step("candidates of one contact; min_score filters", async () => {
      const token = await w.owner.token();
      const mine = (await get(token, `contact_id=${w.graceAgain}`)).body as Page;
      assertEquals(mine.candidates.map((c) => c.survivor_id), [w.grace]);
      const strong = (await get(token, "min_score=0.95")).body as Page;
      assertEquals(strong.candidates.map((c) => c.duplicate_id), [w.adaAgain]);
    });

    await t.step("contacts whose ids are not RFC 9562 uuids (keyed by another system) are listed and merged", async () => {
      const [first, second] = [nonRfcUuid(), nonRfcUuid()];
      await sql(`insert into public.contacts (id, user_id, display_name, organization) values ($1, $3, 'Legacy Person', 'Old CRM'),
                 ($2, $3, 'Legacy Person', 'Old CRM')`, [first, second, w.owner.id]);
      await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
                 values ($1, $2, 'phone', '+442079460777'), ($1, $3, 'whatsapp', '+44 20 7946 0777')`, [w.owner.id, first, second]);
      const token = await w.owner.token();
      const listed = await get(token, `contact_id=${second}`);
      assertEquals(listed.status, 200, JSON.stringify(listed.body));
      const pair = (listed.body as Page).candidates.map((c) => [c.survivor_id, c.duplicate_id].sort());
      assertEquals(pair, [[first, second].sort()]);
      const merged = await post(token, { survivor_id: first, duplicate_id: second });
      assertEquals(merged.status, 200, JSON.stringify(merged.body));
      assertEquals((merged.body as Report).status, "merged");
    });

    await t.step("another owner sees no pair with the owner's contacts, and the owner's ids answer 404", async () => {
      const token = await w.stranger.token();
      assertEquals(((await get(token)).body as Page).candidates, []);
      assertError(await get(token, `contact_id=${w.ada}`), 404, "not_found");
      assertError(await post(token, { survivor_id: w.strangersContact, duplicate_id: w.ada }), 404, "not_found");
      assertError(await post(await w.owner.token(), { survivor_id: w.ada, duplicate_id: w.strangersContact }), 404, "not_found");
    });

    await t.step("a dry run through supabase-js reports what would move and writes nothing", async () => {
      const before = await footprint(w.adaAgain);
      const merges = await mergeCount(w.owner.id);
      const { data, error } = await userClient(await w.owner.token()).functions.invoke<Report>(FN, {
        body: { survivor_id: w.ada, duplicate_id: w.adaAgain, dry_run: true },
      });
      assertEquals(error, null);
      assertEquals(data!.status, "dry_run");
      assertEquals(data!.merge_id, null);
      assertEquals(data!.row_counts.moved.contact_interactions, 25);
      assertEquals(data!.row_counts.moved.contact_communication_channels, 2);
      assertEquals(data!.row_counts.demoted_primary_channels, 1, "the duplicate's primary e-mail would become secondary");
      assertEquals(await footprint(w.adaAgain), before, "every row of the duplicate is still where it was");
      assertEquals(await mergeCount(w.owner.id), merges, "no merge record");
      assertEquals((await sql(`select 1 from public.contacts where id = $1`, [w.adaAgain])).length, 1, "the duplicate still exists");
    });

    await t.step("the merge moves exactly what the dry run reported; a second call reports it happened", async () => {
      const token = await w.owner.token();
      const dry = (await post(token, { survivor_id: w.ada, duplicate_id: w.adaAgain, dry_run: true })).body as Report;
      const merged = await post(token, { survivor_id: w.ada, duplicate_id: w.adaAgain });
      assertEquals(merged.status, 200, JSON.stringify(merged.body));
      assertCors(merged.headers);
      const report = merged.body as Report;
      assertEquals(report.status, "merged");
      assertExists(report.merge_id);
      assertEquals(report.row_counts, dry.row_counts);
      assertEquals(report.channels, dry.channels);
      assertEquals(report.fields, dry.fields);
      assert((await footprint(w.adaAgain)).every((entry) => entry.endsWith("=0")), "nothing left about the duplicate");
      assertEquals((await sql(`select 1 from public.contacts where id = $1`, [w.adaAgain])).length, 0, "the duplicate is gone");
      const interactions = await sql<{ n: string }>(`select count(*) as n from public.contact_interactions where contact_id = $1`, [w.ada]);
      assertEquals(Number(interactions[0].n), 25);

      const again = await post(token, { survivor_id: w.ada, duplicate_id: w.adaAgain });
      assertEquals(again.status, 200);
      assertEquals((again.body as Report).status, "already_merged");
      assertEquals((again.body as Report).merge_id, report.merge_id);
    });

    await t.step("the service merges for the owner it names, through supabase-js with the secret key", async () => {
      const service = serviceClient();
      const listed = await service.functions.invoke<Page>(`${FN}?owner_id=${w.owner.id}`, { method: "GET" });
      assertEquals(listed.error, null);
      assertEquals(listed.data!.candidates.map((c) => c.duplicate_id), [w.graceAgain]);
      const { data, error } = await service.functions.invoke<Report>(FN, {
        body: { survivor_id: w.grace, duplicate_id: w.graceAgain, owner_id: w.owner.id, fields: { display_name: "duplicate" } },
      });
      assertEquals(error, null);
      assertEquals(data!.status, "merged");
      assertEquals(data!.fields?.display_name, { from: "duplicate", value: "Grace B. Hopper" });
      const unnamed = await service.functions.invoke(FN, { method: "GET" });
      assert(unnamed.error instanceof FunctionsHttpError);
      assertEquals(unnamed.error.context.status, 422);
      const merges = await sql<{ actor_role: string }>(`select actor_role from public.contact_merges where duplicate_id = $1`, [w.graceAgain]);
      assertEquals(merges.map((m) => m.actor_role), ["service"]);
    });

    await t.step("a contact under legal hold is a conflict (409) with a clear message", async () => {
      const response = await post(await w.owner.token(), { survivor_id: w.ada, duplicate_id: w.held });
      assertError(response, 409, "conflict");
      assertEquals((response.body as { message: string }).message, "a contact under legal hold cannot be merged");
    });

    await t.step("agent tokens are refused (403), and an owner cannot name another owner (403)", async () => {
      const agentToken = await w.owner.agentToken(w.agent);
      assertError(await get(agentToken), 403, "forbidden");
      assertError(await post(agentToken, { survivor_id: w.ada, duplicate_id: w.held }), 403, "forbidden");
      assertError(await get(await w.owner.token(), `owner_id=${w.stranger.id}`), 403, "forbidden");
    });

    await t.step("bad input is a 422 with zod issues; bad JSON 400; not JSON 415", async () => {
      const token = await w.owner.token();
      const invalid = [
        { survivor_id: w.ada, duplicate_id: w.ada },
        { survivor_id: "not-a-uuid", duplicate_id: w.held },
        { survivor_id: w.ada },
        { survivor_id: w.ada, duplicate_id: w.held, dry_run: "yes" },
        { survivor_id: w.ada, duplicate_id: w.held, fields: { legal_hold: "duplicate" } },
        { survivor_id: w.ada, duplicate_id: w.held, fields: { first_name: "both" } },
        { survivor_id: w.ada, duplicate_id: w.held, surprise: true },
      ];
      for (const body of invalid) {
        const response = await post(token, body);
        assertError(response, 422, "validation_failed");
        assert(Array.isArray((response.body as { details: { issues: unknown[] } }).details.issues), JSON.stringify(body));
      }
      // An empty or hexadecimal number was read as 0 or 1 by z.coerce.
      for (const query of ["min_score=2", "limit=0", "limit=abc", "contact_id=nope", "surprise=1", "min_score=", "min_score=%20", "min_score=0x1", "limit="]) {
        assertError(await get(token, query), 422, "validation_failed");
      }
      assertError(await get(token, "limit=5&limit=50"), 422, "validation_failed");
      // zod drops a __proto__ key of a record without a word: the body is refused instead.
      const proto = `{"survivor_id":"${w.ada}","duplicate_id":"${w.held}","dry_run":true,"fields":{"__proto__":"duplicate"}}`;
      assertError(await call(FN, { method: "POST", token, body: proto }), 422, "validation_failed");
      // A POST takes no query: an instruction there is refused rather than dropped.
      const body = JSON.stringify({ survivor_id: w.ada, duplicate_id: w.held, dry_run: true });
      assertError(await call(FN, { method: "POST", token, path: "?dry_run=false", body }), 422, "validation_failed");
      assertError(await call(FN, { method: "POST", token, body: "{not json" }), 400, "malformed_json");
      assertError(await call(FN, { method: "POST", token, body: "a=1", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
      assertEquals((await sql(`select 1 from public.contacts where id = $1`, [w.held])).length, 1, "nothing was merged");
    });

    await t.step("supabase-js surfaces an error answer as FunctionsHttpError with the JSON body", async () => {
      const { error } = await userClient(await w.owner.token()).functions.invoke(FN, {
        body: { survivor_id: w.ada, duplicate_id: w.strangersContact },
      });
      assert(error instanceof FunctionsHttpError);
      const body = await error.context.json();
      assertEquals(body, { code: "not_found", message: "contact not found", details: null });
    });

    await t.step("preflight, missing and forged tokens (401 before any SQL), wrong method (405)", async () => {
      await assertGuarded(FN, {
        method: "POST",
        wrongMethod: "PUT",
        body: JSON.stringify({ survivor_id: w.ada, duplicate_id: w.held }),
        userId: w.owner.id,
        beforeSql: () => mergeCount(w.owner.id),
      });
      await assertGuarded(FN, { method: "GET", wrongMethod: "PATCH", userId: w.owner.id });
      const wrong = await call(FN, { method: "PUT", token: await w.owner.token() });
      assertError(wrong, 405, "method_not_allowed");
      assertEquals(wrong.headers.get("allow"), "GET, POST");
    });

    await t.step("the held contact and the stranger's contact were never touched", async () => {
      const rows = await sql<{ id: string }>(`select id from public.contacts where id = any($1::uuid[]) order by id`, [[w.held, w.strangersContact]]);
      assertEquals(rows.length, 2);
      assertNotEquals(await mergeCount(w.owner.id), 0);
      assertEquals(await mergeCount(w.stranger.id), 0);
    });
  } finally {
    await removeOwners(w.owner, w.stranger);
  }
});
