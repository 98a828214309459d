// The two ways of searching that a scenario compares. A runner owns one session and answers
// run(text) -> rows ({ contact_id, display_name, organization, ... }) and explain(text) -> plan text.
import { actAs, asSuperuser, connect } from "./session.mjs";

/**
 * The project's way: public.search_contacts_for_agent, called by an API caller under RLS. A named
 * prepared statement, as PostgREST and pooled drivers use, so the figure is the function's work
 * rather than parsing the call.
 */
export function projectRunner({ database, agentId, claims, id = "project", label = "search_contacts_for_agent", page = 1 }) {
  let client;
  const search = "select * from public.search_contacts_for_agent($1::uuid, $2::text, after_score => $3::numeric, after_contact_id => $4::uuid)";
  // Page n of a query starts after the last row of page n - 1: found once by paging with the
  // function itself, then reused by every timed call.
  const cursors = new Map();
  const call = async (text, after) =>
    (await client.query({ name: "bench_project_search", text: search, values: [agentId, text, after?.score ?? null, after?.contact_id ?? null] })).rows;
  async function cursorOf(text) {
    if (page === 1) return null;
    if (!cursors.has(text)) {
      let after = null;
      for (let n = 1; n < page; n += 1) {
        const rows = await call(text, after);
        if (rows.length < 20) throw new Error(`'${text}' has fewer than ${page} pages`);
        after = rows.at(-1);
      }
      cursors.set(text, after);
    }
    return cursors.get(text);
  }
  return {
    id,
    label,
    async open() {
      client = await connect(database);
      await actAs(client, claims);
    },
    async run(text) {
      return await call(text, await cursorOf(text));
    },
    /**
     * EXPLAIN of the call shows a Function Scan only; the statements inside the plpgsql functions
     * are what matter, so auto_explain logs them (as LOG messages sent to this client). Runs on the
     * measured session, after the measurement: the plans shown are the ones its plan cache holds.
     */
    async explain(text) {
      const logged = [];
      const collect = (message) => logged.push(message.message);
      await asSuperuser(client, () =>
        client.query(
          "load 'auto_explain'; set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on; " +
            "set auto_explain.log_buffers = on; set auto_explain.log_nested_statements = on; set client_min_messages = log"));
      client.on("notice", collect);
      let top;
      const after = await cursorOf(text);
      try {
        top = await client.query(`explain (analyze, buffers) ${search}`, [agentId, text, after?.score ?? null, after?.contact_id ?? null]);
      } finally {
        client.off("notice", collect);
        await asSuperuser(client, () =>
          client.query("set auto_explain.log_min_duration = -1; set client_min_messages = notice"));
      }
      return { top: top.rows.map((row) => row["QUERY PLAN"]).join("\n"), nested: summarizeNested(logged) };
    },
    async close() {
      await client?.end();
    },
  };
}

/**
 * auto_explain logs every nested statement, including each call of the per-row access checks.
 * Statements run once in the call and taking at least a millisecond (the search's own queries,
 * whatever the function's current text) are kept in full; the rest are counted by statement.
 */
function summarizeNested(messages) {
  const byQuery = new Map();
  for (const message of messages) {
    const match = /^duration: ([\d.]+) ms\s+plan:\n([\s\S]*)$/.exec(message);
    if (!match) continue;
    const [, duration, body] = match;
    const queryText = /Query Text: ([\s\S]*?)\n(?=\S)/.exec(body)?.[1] ?? body;
    if (/^\s*explain \(analyze/i.test(queryText)) continue;
    const key = queryText.replace(/\s+/g, " ").trim();
    const entry = byQuery.get(key) ?? { calls: 0, ms: 0, body };
    entry.calls += 1;
    entry.ms += Number(duration);
    byQuery.set(key, entry);
  }
  const plans = [];
  const counted = [];
  for (const [query, { calls, ms, body }] of byQuery) {
    if (calls === 1 && ms >= 1) plans.push(`duration: ${ms.toFixed(3)} ms\n${body.trimEnd()}`);
    else counted.push(`${calls} x ${ms.toFixed(2)} ms total: ${query.slice(0, 110)}`);
  }
  return { plans, counted };
}

/**
 * The reference: what an app writes without a search function, `ilike '%q%'` over the names,
 * organization and channel identifiers of the caller's contacts (supabase-js .or(...ilike...)),
 * scanned sequentially. Same caller and RLS as the project's way; `restriction` narrows the rows
 * as the scenario's grants do. Index and bitmap scans are off for this session only, so the
 * planner cannot borrow the project's trigram indexes.
 */
export function naiveRunner({ database, ownerId, claims, restriction = "" }) {
  let client;
  const text = `select c.id as contact_id, c.display_name, c.organization
    from public.contacts c
    where c.user_id = $1::uuid and c.status = 'active' ${restriction}
      and (c.display_name ilike $2 or c.organization ilike $2
        or exists (select 1 from public.contact_communication_channels ch
                   where ch.contact_id = c.id and ch.normalized_identifier ilike $2))
    limit 20`;
  const values = (query) => [ownerId, `%${query}%`];
  return {
    id: "naive",
    label: "naive ILIKE scan",
    async open() {
      client = await connect(database);
      // jit off: the disabled scans carry a huge cost penalty (disable_cost), which would push the
      // estimate past jit_above_cost and add ~200 ms of compilation a plain ILIKE query never pays.
      await client.query("set enable_indexscan = off; set enable_bitmapscan = off; set enable_indexonlyscan = off; set jit = off");
      await actAs(client, claims);
    },
    async run(query) {
      return (await client.query({ name: "bench_naive_search", text, values: values(query) })).rows;
    },
    async explain(query) {
      const { rows } = await client.query({ text: `explain (analyze, buffers) ${text}`, values: values(query) });
      return { top: rows.map((row) => row["QUERY PLAN"]).join("\n") };
    },
    async close() {
      await client?.end();
    },
  };
}

/**
 * The function called as an app calls it: supabase-js `functions.invoke` over HTTP through the
 * functions gateway (JWT checks, the function's worker, its RLS-scoped connection), with the
 * caller's access token.
 */
class NoRealtime {
  constructor() {
    throw new Error("the benchmark does not use realtime");
  }
}

export function gatewayRunner({ database, userId }) {
  let gateway;
  let supabase;
  // The generator's ids are md5 digests, not RFC 4122 UUIDs, and the function's request schema
  // accepts only the latter: the owner gets one more all-contacts agent with a proper id.
  const agentId = "6a7e11f0-5eab-4c4e-9a2e-0b3e5c1d2a01";
  async function ensureAgent() {
    const admin = await connect(database);
    try {
      await admin.query(
        `insert into public.agents (id, user_id, name, description) values ($1, $2, 'bench-agent-gateway', 'Benchmark agent for calls through the gateway')
         on conflict (id) do nothing`, [agentId, userId]);
      await admin.query(
        `insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level)
         select $2, $1, 'all_contacts', 'read'
         where not exists (select 1 from public.agent_contact_permissions where agent_id = $1)`, [agentId, userId]);
    } finally {
      await admin.end();
    }
  }
  return {
    id: "gateway",
    label: "agent-contact-search via supabase-js",
    async open() {
      const { createClient } = await import("@supabase/supabase-js");
      const { loadKeys, mintUserToken } = await import("../../scripts/lib/keys.mjs");
      const { startGateway } = await import("./gateway.mjs");
      const keys = await loadKeys();
      await ensureAgent();
      gateway = await startGateway({ keys, database });
      const token = await mintUserToken(keys, { userId, email: "owner-0@bench.example", expiresIn: 6 * 3600 });
      supabase = createClient(gateway.url, keys.publishableKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        global: { headers: { Authorization: `Bearer ${token}` } },
        // Node 20 has no WebSocket, which supabase-js wants for realtime at construction; the
        // benchmark never opens a realtime channel.
        realtime: { transport: globalThis.WebSocket ?? NoRealtime },
      });
    },
    async run(text) {
      const { data, error } = await supabase.functions.invoke("agent-contact-search", { body: { agent_id: agentId, query: text } });
      if (error) throw new Error(`agent-contact-search answered ${error.context?.status}: ${await error.context?.text?.()}`);
      return data.results;
    },
    async explain() {
      return null;
    },
    async close() {
      await gateway?.stop();
    },
  };
}
