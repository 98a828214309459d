// agent-contact-search end to end: the real gateway, the real function, the real database, real
// tokens; called through supabase-js `functions.invoke` and raw fetch.
import { assert, assertEquals, assertExists, assertNotEquals } from "@std/assert/mod.js";
import { FunctionsHttpError } from "@supabase/supabase-js";
import { assertError, assertGuarded } from "./_support/http.ts";
import { call, createOwner, type Owner, removeOwners, serviceClient, sql, userClient } from "./_support/stack.ts";

const FN = "agent-contact-search";

interface World {
  owner: Owner;
  stranger: Owner;
  agent: string; // all contacts, read, every channel
  emailOnlyAgent: string; // all contacts, read, e-mail only
  specificAgent: string; // two specific contacts
  expiredAgent: string; // window ended yesterday
  futureAgent: string; // window opens tomorrow
  strangersAgent: string;
  ada: string;
  grace: string;
  percent: string;
  others: string[];
}

async function arrange(): Promise<World> {
  const owner = await createOwner("search-owner");
  const stranger = await createOwner("search-stranger");
  const agent = async (userId: string, name: string) =>
    (await sql<{ id: string }>(`insert into public.agents (user_id, name) values ($1, $2) returning id`, [userId, name]))[0].id;
  const contact = async (userId: string, first: string, last: string, org: string | null) =>
    (await sql<{ id: string }>(
      `insert into public.contacts (user_id, first_name, last_name, organization) values ($1, $2, $3, $4) returning id`,
      [userId, first, last, org],
    ))[0].id;
  const channel = (userId: string, contactId: string, type: string, identifier: string) =>
    sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary)
         values ($1, $2, $3, $4, true)`, [userId, contactId, type, identifier]);
  const grant = async (userId: string, agentId: string, type: string, extra = "", params: unknown[] = []) =>
    (await sql<{ id: string }>(
      `insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level, allowed_channel_types, valid_from, valid_until)
       values ($1, $2, $3, 'read', ${extra || "null, now() - interval '1 hour', null"}) returning id`,
      [userId, agentId, type, ...params],
    ))[0].id;

  const ada = await contact(owner.id, "Ada", "Lovelace", "Analytical Engines Ltd");
  const grace = await contact(owner.id, "Grace", "Hopper", "Navy Computing");
  const percent = await contact(owner.id, "Percy", "100% Sure_Thing", "Quote's \\ Backslash");
  const others: string[] = [];
  for (let i = 0; i < 25; i++) others.push(await contact(owner.id, "Adam", `Adamson ${String(i).padStart(2, "0")}`, "Paging Corp"));
  await channel(owner.id, ada, "email", "ada@engines.example");
  await channel(owner.id, ada, "phone", "+44 20 7946 0018");
  await channel(owner.id, grace, "email", "grace@navy.example");
  await channel(owner.id, grace, "whatsapp", "+14155550100");

  const w = {
    owner, stranger, ada, grace, percent, others,
    agent: await agent(owner.id, "Everything reader"),
    emailOnlyAgent: await agent(owner.id, "E-mail only"),
    specificAgent: await agent(owner.id, "Specific"),
    expiredAgent: await agent(owner.id, "Expired"),
    futureAgent: await agent(owner.id, "Future"),
    strangersAgent: await agent(stranger.id, "Stranger's agent"),
  };
  await grant(owner.id, w.agent, "all_contacts");
  await grant(owner.id, w.emailOnlyAgent, "all_contacts", "array['email'], now() - interval '1 hour', null");
  const specific = await grant(owner.id, w.specificAgent, "specific_contacts");
  await sql(`insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id)
             select $1, $2, $3, unnest($4::uuid[])`, [owner.id, specific, w.specificAgent, [grace, percent]]);
  await grant(owner.id, w.expiredAgent, "all_contacts", "null, now() - interval '2 days', now() - interval '1 day'");
  await grant(owner.id, w.futureAgent, "all_contacts", "null, now() + interval '1 day', null");
  await grant(stranger.id, w.strangersAgent, "all_contacts");
  return w;
}

interface Result {
  contact_id: string;
  display_name: string;
  channels: { channel_type: string; identifier: string }[];
  score: number;
  match_reason: string;
}
interface Page {
  results: Result[];
  next_cursor: string | null;
}

const search = async (token: string, body: Record<string, unknown>) =>
  await call(FN, { method: "POST", token, body: JSON.stringify(body) });

const accessLogCount = async (agentId: string) =>
  Number((await sql<{ n: string }>(`select count(*) as n from public.agent_contact_access_log where agent_id = $1`, [agentId]))[0].n);

Deno.test("agent-contact-search", { sanitizeResources: false, sanitizeOps: false }, async (t) => {
  const w = await arrange();
  try {
    await t.step("an owner finds a contact by name through supabase-js functions.invoke", async () => {
      const { data, error } = await userClient(await w.owner.token()).functions.invoke<Page>(FN, {
        body: { agent_id: w.agent, query: "ada" },
      });
      assertEquals(error, null);
      const ada = data!.results.find((r) => r.contact_id === w.ada)!;
      assertExists(ada);
      assertEquals(ada.match_reason, "name_prefix");
      assertEquals(ada.channels.map((c) => c.channel_type).sort(), ["email", "phone"]);
    });

    await t.step("exact e-mail in another case, a phone in a national format or with its trunk zero, and wrapped identifiers match their contacts first", async () => {
      const token = await w.owner.token();
      const byEmail = (await search(token, { agent_id: w.agent, query: "ADA@Engines.Example" })).body as Page;
      assertEquals(byEmail.results[0].contact_id, w.ada);
      assertEquals(byEmail.results[0].match_reason, "exact_identifier");
      const byPhone = (await search(token, { agent_id: w.agent, query: "(415) 555-0100" })).body as Page;
      assertEquals(byPhone.results[0].contact_id, w.grace);
      assertEquals(byPhone.results[0].match_reason, "phone_suffix");
      const uk = (await search(token, { agent_id: w.agent, query: "020 7946 0018" })).body as Page;
      assertEquals(uk.results[0].contact_id, w.ada);
      for (const query of ["+44 (0)20 7946 0018", "+44 020 7946 0018", "Ada Lovelace <ADA@engines.example>", "tel:+442079460018"]) {
        const trunk = (await search(token, { agent_id: w.agent, query })).body as Page;
        assertEquals(trunk.results.map((r) => [r.contact_id, r.match_reason]), [[w.ada, "exact_identifier"]], query);
      }
    });

    await t.step("a typo still finds the contact by trigram similarity", async () => {
      const page = (await search(await w.owner.token(), { agent_id: w.agent, query: "lovelcae" })).body as Page;
      assertEquals(page.results[0]?.contact_id, w.ada);
      assertEquals(page.results[0].match_reason, "trigram");
    });

    await t.step("a service caller with the secret key searches for an agent through supabase-js", async () => {
      const { data, error } = await serviceClient().functions.invoke<Page>(FN, { body: { agent_id: w.agent, query: "grace" } });
      assertEquals(error, null);
      assertEquals(data!.results[0].contact_id, w.grace);
    });

    await t.step("an agent-scoped token sees only the contacts granted to its agent", async () => {
      const token = await w.owner.agentToken(w.specificAgent);
      const ada = (await search(token, { agent_id: w.specificAgent, query: "ada lovelace" })).body as Page;
      assertEquals(ada.results, [], "Ada is not granted to the specific agent");
      const grace = (await search(token, { agent_id: w.specificAgent, query: "grace" })).body as Page;
      assertEquals(grace.results.map((r) => r.contact_id), [w.grace], "Grace is granted");
    });

    await t.step("an agent-scoped token cannot search as another agent of the same owner (404)", async () => {
      const response = await search(await w.owner.agentToken(w.specificAgent), { agent_id: w.agent, query: "ada" });
      assertError(response, 404, "not_found");
    });

    await t.step("a token whose agent_id claim is not a uuid is refused (401)", async () => {
      const token = await w.owner.token({ extraClaims: { agent_id: "not-a-uuid" } });
      assertError(await search(token, { agent_id: w.agent, query: "ada" }), 401, "invalid_token");
    });

    await t.step("another owner's agent id answers 404, not 403, and reveals nothing", async () => {
      const response = await search(await w.owner.token(), { agent_id: w.strangersAgent, query: "ada" });
      assertError(response, 404, "not_found");
      assertEquals((response.body as { message: string }).message, "agent not found");
      const theirs = await search(await w.stranger.token(), { agent_id: w.agent, query: "ada" });
      assertError(theirs, 404, "not_found");
    });

    await t.step("expired and future grant windows give no results", async () => {
      const token = await w.owner.token();
      for (const agent of [w.expiredAgent, w.futureAgent]) {
        const response = await search(token, { agent_id: agent, query: "ada" });
        assertEquals(response.status, 200);
        assertEquals((response.body as Page).results, []);
      }
    });

    await t.step("channel restrictions: an e-mail-only agent gets e-mail channels only, and filters apply", async () => {
      const token = await w.owner.token();
      const page = (await search(token, { agent_id: w.emailOnlyAgent, query: "ada" })).body as Page;
      const ada = page.results.find((r) => r.contact_id === w.ada)!;
      assertEquals(ada.channels.map((c) => c.channel_type), ["email"]);
      const whatsapp = (await search(token, { agent_id: w.emailOnlyAgent, query: "grace", channel_types: ["whatsapp"] })).body as Page;
      assertEquals(whatsapp.results, [], "the agent may not use whatsapp, so no contact qualifies");
      const filtered = (await search(token, { agent_id: w.agent, query: "grace", channel_types: ["whatsapp"] })).body as Page;
      assertEquals(filtered.results[0].channels.map((c) => c.channel_type), ["whatsapp"]);
    });

    await t.step("group_id: the owner narrows to any group of theirs, an agent token only to one it is granted", async () => {
      const [{ id: phones }] = await sql<{ id: string }>(
        `insert into public.contact_groups (user_id, name, group_type, criteria)
         values ($1, 'Has a phone', 'smart', '{"rules": [{"field": "channel_type", "op": "has", "value": "phone"}]}')
         returning id`,
        [w.owner.id],
      );
      const [{ id: theirs }] = await sql<{ id: string }>(
        `insert into public.contact_groups (user_id, name, group_type) values ($1, 'Theirs', 'static') returning id`,
        [w.stranger.id],
      );
      const byOwner = (await search(await w.owner.token(), { agent_id: w.emailOnlyAgent, query: "ada", group_id: phones }))
        .body as Page;
      assertEquals(byOwner.results.map((r) => r.contact_id), [w.ada]);
      // The e-mail-only agent must not learn who has a phone: the group is not its to filter by.
      const agentToken = await w.owner.agentToken(w.emailOnlyAgent);
      const byAgent = await search(agentToken, { agent_id: w.emailOnlyAgent, query: "ada", group_id: phones });
      assertError(byAgent, 404, "not_found");
      assertEquals((byAgent.body as { message: string }).message, "group not found");
      assertError(await search(await w.owner.token(), { agent_id: w.agent, query: "ada", group_id: theirs }), 404, "not_found");
    });

    await t.step("keyset paging walks every match once, and the cursor is bound to its query", async () => {
      const token = await w.owner.token();
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const response = await search(token, { agent_id: w.agent, query: "adamson", limit: 10, cursor });
        assertEquals(response.status, 200, JSON.stringify(response.body));
        const body = response.body as Page;
        seen.push(...body.results.map((r) => r.contact_id));
        if (!body.next_cursor) break;
        cursor = body.next_cursor;
      }
      assertEquals(new Set(seen).size, seen.length, "no contact twice");
      assertEquals(new Set(seen), new Set(w.others), "every Adamson once");

      const first = (await search(token, { agent_id: w.agent, query: "adamson", limit: 10 })).body as Page;
      assertExists(first.next_cursor);
      const [payload, signature] = first.next_cursor!.split(".");
      const tampered = `${payload.slice(0, -2)}${payload.endsWith("A") ? "B" : "A"}${payload.slice(-1)}.${signature}`;
      assertError(await search(token, { agent_id: w.agent, query: "adamson", limit: 10, cursor: tampered }), 400, "invalid_cursor");
      assertError(await search(token, { agent_id: w.agent, query: "paging", limit: 10, cursor: first.next_cursor }), 400, "invalid_cursor");
      assertError(await search(token, { agent_id: w.agent, query: "adamson", limit: 10, cursor: "garbage" }), 400, "invalid_cursor");
    });

    await t.step("matches a multiple of the page: the last full page has no cursor, and the log counts only what was returned", async () => {
      // A fresh agent of the owner, so that its access log holds these searches only.
      const [{ id: pager }] = await sql<{ id: string }>(
        `insert into public.agents (user_id, name) values ($1, 'Pager') returning id`, [w.owner.id]);
      await sql(`insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level)
                 values ($1, $2, 'all_contacts', 'read')`, [w.owner.id, pager]);
      const token = await w.owner.agentToken(pager);
      const pages: Page[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const response = await search(token, { agent_id: pager, query: "adamson", limit: 5, cursor });
        assertEquals(response.status, 200, JSON.stringify(response.body));
        pages.push(response.body as Page);
        if (!pages.at(-1)!.next_cursor) break;
        cursor = pages.at(-1)!.next_cursor!;
      }
      assertEquals(pages.map((p) => p.results.length), [5, 5, 5, 5, 5], "25 Adamsons in pages of five: no empty sixth page");
      assertEquals(pages.map((p) => p.next_cursor === null), [false, false, false, false, true], "the fifth, full, page is the last");
      assertEquals(new Set(pages.flatMap((p) => p.results.map((r) => r.contact_id))), new Set(w.others));
      const whole = (await search(token, { agent_id: pager, query: "adamson", limit: 25 })).body as Page;
      assertEquals([whole.results.length, whole.next_cursor], [25, null], "all 25 in one page of 25: no cursor");
      const log = await sql<{ caller: string; result_count: number }>(
        `select caller, result_count from public.agent_contact_access_log where agent_id = $1 order by id`, [pager]);
      assertEquals(log, [5, 5, 5, 5, 5, 25].map((n) => ({ caller: "agent", result_count: n })),
        "one entry per search, counting the contacts it returned (never the row read past the page)");
    });

    await t.step("SQL and LIKE metacharacters are plain text", async () => {
      const token = await w.owner.token();
      const percent = (await search(token, { agent_id: w.agent, query: "%" })).body as Page;
      assert(percent.results.every((r) => r.contact_id === w.percent), "'%' matches only the contact that contains it");
      for (const query of ["_", "\\", "'; drop table public.contacts; --", "100% sure_thing", "quote's \\ backslash"]) {
        const response = await search(token, { agent_id: w.agent, query });
        assertEquals(response.status, 200, `${query}: ${JSON.stringify(response.body)}`);
      }
      const exact = (await search(token, { agent_id: w.agent, query: "100% Sure_Thing" })).body as Page;
      assertEquals(exact.results[0]?.contact_id, w.percent);
      assertEquals(Number((await sql<{ n: string }>(`select count(*) as n from public.contacts where user_id = $1`, [w.owner.id]))[0].n), 28);
    });

    await t.step("a page continues where the last ended though its last contact was renamed or deleted since", async () => {
      const token = await w.owner.token();
      const names = async (body: Record<string, unknown>) => {
        const response = await search(token, { agent_id: w.agent, query: "adamson", limit: 5, ...body });
        assertEquals(response.status, 200, JSON.stringify(response.body));
        const page = response.body as Page;
        return { names: page.results.map((r) => r.display_name), next_cursor: page.next_cursor };
      };
      const first = await names({ cursor: null });
      assertEquals(first.names, [0, 1, 2, 3, 4].map((i) => `Adam Adamson 0${i}`), "a null cursor asks for the first page");
      const [renamed, deleted] = [w.others[4], w.others[9]];
      await sql(`update public.contacts set last_name = 'Adamson 99' where id = $1`, [renamed]);
      const second = await names({ cursor: first.next_cursor });
      assertEquals(second.names, [5, 6, 7, 8, 9].map((i) => `Adam Adamson 0${i}`), "renamed past the rest: none skipped");
      await sql(`update public.contacts set last_name = 'Adamson 00a' where id = $1`, [renamed]);
      assertEquals((await names({ cursor: first.next_cursor })).names, second.names, "renamed to before it: none repeated");
      await sql(`update public.contacts set last_name = 'Adamson 04' where id = $1`, [renamed]);

      await sql(`delete from public.contacts where id = $1`, [deleted]);
      try {
        const third = await names({ cursor: second.next_cursor });
        assertEquals(third.names, [10, 11, 12, 13, 14].map((i) => `Adam Adamson ${i}`), "its contact deleted: the paging goes on");
      } finally {
        w.others[9] = (await sql<{ id: string }>(
          `insert into public.contacts (user_id, first_name, last_name, organization) values ($1, 'Adam', 'Adamson 09', 'Paging Corp') returning id`,
          [w.owner.id],
        ))[0].id;
      }
    });

    await t.step("bad input: empty, too long or unstorable query, unknown fields, bad limit, bad JSON, wrong media type", async () => {
      const token = await w.owner.token();
      const invalid = [
        { agent_id: w.agent, query: "" },
        { agent_id: w.agent, query: "ada\u0000" },
        { agent_id: w.agent, query: "   " },
        { agent_id: w.agent, query: "x".repeat(201) },
        // 200 characters that NFC, as the database counts, writes as 400.
        { agent_id: w.agent, query: "\u0958".repeat(200) },
        { agent_id: w.agent, query: "ada", limit: 101 },
        { agent_id: w.agent, query: "ada", limit: 0 },
        { agent_id: "not-a-uuid", query: "ada" },
        { agent_id: w.agent, query: "ada", channel_types: ["fax"] },
        { agent_id: w.agent, query: "ada", surprise: true },
        { query: "ada" },
      ];
      for (const body of invalid) {
        const response = await search(token, body);
        assertError(response, 422, "validation_failed");
        assert(Array.isArray((response.body as { details: { issues: unknown[] } }).details.issues), "zod issues in details");
      }
      for (const query of ["ada\u{10FFFF}", "ada\uD7FF"]) {
        assertEquals((await search(token, { agent_id: w.agent, query })).status, 200, "a query ending in the last code points is answered");
      }
      const query = await call(FN, { method: "POST", token, path: "?limit=5", body: JSON.stringify({ agent_id: w.agent, query: "ada" }) });
      assertError(query, 422, "validation_failed");
      assertEquals((query.body as { details: unknown }).details, { issues: [{ path: "", code: "unrecognized_keys", message: 'Unrecognized key: "limit"' }] });
      assertError(await call(FN, { method: "POST", token, body: "{not json" }), 400, "malformed_json");
      assertError(
        await call(FN, { method: "POST", token, body: "agent_id=1", headers: { "content-type": "text/plain" } }),
        415,
        "unsupported_media_type",
      );
      assertError(await call(FN, { method: "POST", token, body: JSON.stringify({ query: "x".repeat(20_000) }) }), 413, "payload_too_large");
    });

    await t.step("supabase-js surfaces an error answer as FunctionsHttpError with the JSON body", async () => {
      const { error } = await userClient(await w.owner.token()).functions.invoke(FN, { body: { agent_id: w.agent, query: "" } });
      assert(error instanceof FunctionsHttpError);
      const body = await error.context.json();
      assertEquals(body.code, "validation_failed");
    });

    await t.step("preflight, missing and forged tokens (401 before any SQL), wrong method (405)", async () => {
      await assertGuarded(FN, {
        method: "POST",
        wrongMethod: "GET",
        body: JSON.stringify({ agent_id: w.agent, query: "ada" }),
        userId: w.owner.id,
        beforeSql: () => accessLogCount(w.agent),
      });
    });

    await t.step("every search is logged without personal data", async () => {
      const rows = await sql<{ caller: string; query_hmac: string }>(
        `select caller, query_hmac from public.agent_contact_access_log where user_id = $1`,
        [w.owner.id],
      );
      assertNotEquals(rows.length, 0);
      assertEquals(new Set(rows.map((r) => r.caller)), new Set(["owner", "agent", "service"]));
      const logText = JSON.stringify(rows);
      // Words with letters outside 0-9a-f: a hex hash cannot contain them by chance.
      for (const secret of ["grace", "lovelace", "lovelcae"]) assert(!logText.includes(secret), `no query text in the log: ${secret}`);
    });
  } finally {
    await removeOwners(w.owner, w.stranger);
  }
});
