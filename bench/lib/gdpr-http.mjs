// The gdpr benchmark through the functions gateway: gdpr-delete and gdpr-export as clients call
// them (HTTP, user JWT, the Edge Function, its pooled Postgres connection, commit), next to the same
// reference SQL as the database-level comparison, taking turns.
//   Delete: every call commits, so each one (either way) erases its own copy of the subject
//   (bench/sql/gdpr_copies.sql: the same 20 channels, 50 memberships, grant and 10,000
//   interactions), generated before the calls. The reference deletes its copies' rows with the
//   raw DELETEs, committed too.
//   Export: the subject itself, named by its e-mail address (its generated id is an md5 digest, not
//   one of the RFC 9562 uuids the functions accept); each export records itself (a request row and
//   its audit entry), and those records are removed afterwards so the next run exports the same rows.
import { fileURLToPath } from "node:url";
import { BIG_OWNER_ID } from "./ids.mjs";
import { summarize } from "./measure.mjs";
import { actAs, connect } from "./session.mjs";
import { startGateway } from "./gateway.mjs";
import { loadKeys, mintUserToken } from "../../scripts/lib/keys.mjs";
import { psql } from "../../scripts/lib/postgres.mjs";

// The owner of the erased copies: an RFC 9562 uuid, as the functions' answers require.
const COPY_OWNER_ID = "7f3b9c2e-4d1a-4e8b-9a6c-2b5e8d0c4f71";


const copyId = async (client, run, k) =>
  (await client.query("select id from public.contacts where external_id = $1", [`bench-gdpr-copy-${run}-${k}`])).rows[0].id;
const rawDelete = (contactId) => [
  "contact_interactions", "contact_communication_channels", "contact_group_memberships", "agent_specific_contact_access",
].map((table) => `delete from public.${table} where contact_id = '${contactId}' and user_id = '${COPY_OWNER_ID}'`)
  .concat(`delete from public.contacts where id = '${contactId}' and user_id = '${COPY_OWNER_ID}'`).join(";\n");

/** Copies a failed run left behind (each call erases one; a run that stops early leaves the rest). */
function removeCopies(database) {
  psql(["-c", `delete from public.contacts where user_id in ('${BIG_OWNER_ID}', '${COPY_OWNER_ID}') and external_id like 'bench-gdpr-copy-%'`], { database });
}

/** One call through the gateway (POST with a JSON body, or GET), timed around the round trip and the whole body. */
async function call(gateway, token, fn, body, query = "") {
  const start = process.hrtime.bigint();
  const response = await fetch(`${gateway.url}/functions/v1/${fn}${query}`, {
    method: body ? "POST" : "GET",
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (response.status !== 200) throw new Error(`${fn} answered ${response.status}: ${text.slice(0, 300)}`);
  return { ms, text };
}

/**
 * Calls through the gateway at one size: gdpr-delete (each call a fresh copy) vs the raw DELETEs of
 * other copies, committed; gdpr-export of the subject vs the plain SELECTs; and a receipt check
 * (GET gdpr-delete, one small query) for what a call through the gateway costs by itself.
 * `plainSelects` is the export's reference query of the database-level comparison.
 */
export async function measureHttp(database, { subjectId, subjectEmail, plainSelects, warmup, iterations, log }) {
  const run = String(Math.floor(Date.now() / 1000));
  const perSide = warmup + iterations;
  const started = performance.now();
  removeCopies(database);
  psql(["-1", "-v", `copies=${2 * perSide}`, "-v", `run=${run}`, "-v", `owner=${COPY_OWNER_ID}`, "-f", fileURLToPath(new URL("../sql/gdpr_copies.sql", import.meta.url)),
    "-c", "analyze public.contacts, public.contact_interactions, public.contact_communication_channels"], { database });
  log(`  ${2 * perSide} copies of the subject for the committed erasures in ${Math.round((performance.now() - started) / 100) / 10} s.`);

  const keys = await loadKeys();
  const token = await mintUserToken(keys, { userId: BIG_OWNER_ID, email: "bench-owner@bench.local", expiresIn: 3600 });
  const copyToken = await mintUserToken(keys, { userId: COPY_OWNER_ID, email: "gdpr-copies@bench.example", expiresIn: 3600 });
  const gateway = await startGateway({ keys, database });
  const reference = await connect(database);
  await reference.query("set jit = off");
  await actAs(reference, { sub: BIG_OWNER_ID, role: "authenticated", aud: "authenticated" });
  const copyReference = await connect(database);
  await copyReference.query("set jit = off");
  await actAs(copyReference, { sub: COPY_OWNER_ID, role: "authenticated", aud: "authenticated" });
  const { rows: [{ since }] } = await reference.query("select clock_timestamp() as since");
  const samples = { delete: { project: [], reference: [] }, export: { project: [], reference: [] }, call: [] };
  try {
    for (let i = 0; i < perSide; i += 1) {
      const timed = i >= warmup;
      const sides = [
        async () => {
          const contactId = await copyId(copyReference, run, 2 * i + 1);
          const { ms } = await call(gateway, copyToken, "gdpr-delete", { contact_id: contactId });
          if (timed) samples.delete.project.push({ ms });
        },
        async () => {
          const contactId = await copyId(copyReference, run, 2 * i + 2);
          const start = process.hrtime.bigint();
          await copyReference.query(rawDelete(contactId));
          if (timed) samples.delete.reference.push({ ms: Number(process.hrtime.bigint() - start) / 1e6 });
        },
        async () => {
          const { ms } = await call(gateway, token, "gdpr-export", { identifier: subjectEmail });
          if (timed) samples.export.project.push({ ms });
        },
        async () => {
          const start = process.hrtime.bigint();
          await reference.query(plainSelects);
          if (timed) samples.export.reference.push({ ms: Number(process.hrtime.bigint() - start) / 1e6 });
        },
      ];
      for (const side of i % 2 === 0 ? sides : [sides[1], sides[0], sides[3], sides[2]]) await side();
      // What any call through the gateway costs: a receipt check (GET), one small query.
      const { ms } = await call(gateway, copyToken, "gdpr-delete", null, "?identifier=nobody%40bench.example");
      if (timed) samples.call.push({ ms });
    }
  } finally {
    await reference.end();
    await copyReference.end();
    await gateway.stop();
    removeCopies(database);
    // The copies leave about a million dead rows; the next run (and size) should not find them.
    psql(["-c", "vacuum analyze public.contact_interactions, public.contacts, public.contact_communication_channels, " +
      "public.contact_group_memberships, public.agent_specific_contact_access, public.contact_consent_events"], { database });
    // The exports' own records, so that the subject's audit trail is the same on the next run.
    psql(["-1", "-c", `delete from public.contact_audit_log l using public.contact_subject_requests r
        where l.table_name = 'contact_subject_requests' and l.row_id = r.id and r.request_type = 'export'
          and r.user_id = '${BIG_OWNER_ID}' and r.contact_ids = array['${subjectId}'::uuid] and r.created_at >= '${since.toISOString()}'`,
      "-c", `delete from public.contact_subject_requests r where r.request_type = 'export' and r.user_id = '${BIG_OWNER_ID}'
        and r.contact_ids = array['${subjectId}'::uuid] and r.created_at >= '${since.toISOString()}'`], { database });
  }
  const result = {};
  for (const way of ["delete", "export"]) {
    const project = summarize(samples[way].project);
    const ref = summarize(samples[way].reference);
    result[way] = { project, reference: ref, ratio: project.p95 / ref.p95 };
  }
  result.call = summarize(samples.call);
  return result;
}
