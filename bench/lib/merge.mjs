// npm run bench -- --merge: find_duplicate_contacts and merge_contacts against plain SQL on the same
// rows, side by side in one run.
//   Data: the search benchmark's generator (bench/sql/generate.sql, default 1M contacts, the big
//   owner holding 30%: 300k), plus bench/sql/merge_fixture.sql: planted duplicates of the big
//   owner's contacts (four kinds, see the file) and a merge pair with 10,000 interactions each. Kept
//   in contacts_merge_bench and reused while generator, schema and fixture are unchanged.
//   Find: public.find_duplicate_contacts (the owner's first page of 50 pairs, owner-wide over 300k
//   contacts) vs plain SQL exact self-joins (identical normalized identifiers across channel types,
//   identical lower(external_id), identical lower(display_name) within one organization), both as
//   the owner (role authenticated, RLS on). The project's answer is checked: the share of planted
//   duplicates it finds (owner-wide, all pages) is reported per kind.
//   Merge: public.merge_contacts(survivor, duplicate) as the owner vs the raw UPDATEs of the same
//   rows (every table with contact_id, the duplicate's primary channel demoted, the survivor's
//   empty field filled) and the DELETE of the duplicate, sent as one query by the superuser (the
//   owner may not update contact_id). Each call in its own transaction, rolled back, so every call
//   moves the same rows. Long-lived sessions, taking turns, timed in the client.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { psql, queryValue } from "../../scripts/lib/postgres.mjs";
import { ensureDataset } from "./dataset.mjs";
import { DOCS_FILE, runHeader, sizeLabel, writeSection } from "./docs.mjs";
import { BIG_OWNER_ID, benchId } from "./ids.mjs";
import { describeMachine } from "./machine.mjs";
import { summarize } from "./measure.mjs";
import { actAs, connect } from "./session.mjs";

const DATABASE = "contacts_merge_bench";
const FIXTURE = fileURLToPath(new URL("../sql/merge_fixture.sql", import.meta.url));
const SURVIVOR = benchId("bench-merge-survivor");
const DUPLICATE = benchId("bench-merge-duplicate");
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const seconds = (start) => Math.round((performance.now() - start) / 100) / 10;
const fixed = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const count = (n) => Number(n).toLocaleString("en-US");

const USAGE = `Usage: npm run bench -- --merge [options]
  --contacts N           contacts in the data set, across all owners; the big owner holds 30% (default 1000000)
  --owners N             owners besides the big one (default 100)
  --duplicates N         planted duplicates of the big owner's contacts (default 3000)
  --pair-interactions N  interactions of each contact of the merge pair (default 10000)
  --iterations N         timed calls each way (default 15)
  --warmup N             untimed calls each way first (default 3)
  --fresh                regenerate the data set
  --write-docs           replace the merge section of docs/benchmarks.md`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--merge"),
    options: {
      contacts: { type: "string", default: "1000000" },
      owners: { type: "string", default: "100" },
      duplicates: { type: "string", default: "3000" },
      "pair-interactions": { type: "string", default: "10000" },
      iterations: { type: "string", default: "15" },
      warmup: { type: "string", default: "3" },
      fresh: { type: "boolean", default: false },
      "write-docs": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  const int = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}\n\n${USAGE}`);
    return n;
  };
  return {
    help: values.help ? USAGE : null,
    contacts: int("contacts", 1000),
    owners: int("owners", 1),
    duplicates: int("duplicates", 4),
    pairInteractions: int("pair-interactions", 1),
    iterations: int("iterations", 1),
    warmup: int("warmup", 0),
    fresh: values.fresh,
    writeDocs: values["write-docs"],
  };
}

/** The search data set plus the fixture, reused while both (and the schema) are unchanged. */
function ensureData(options, log) {
  const dataset = ensureDataset({
    database: DATABASE, contacts: options.contacts, owners: options.owners, bigShare: 0.3, specificGrants: 5000,
    fresh: options.fresh, log,
  });
  const wanted = crypto.createHash("sha256").update(fs.readFileSync(FIXTURE))
    .update(`${options.duplicates}:${options.pairInteractions}`).digest("hex").slice(0, 16);
  const recorded = queryValue("select to_regclass('bench.merge_fixture') is not null", { database: DATABASE }) === "t"
    ? queryValue("select fingerprint from bench.merge_fixture", { database: DATABASE })
    : null;
  if (recorded === wanted) {
    log(`Reusing the merge fixture of ${DATABASE}.`);
    return { ...dataset, fixtureSeconds: null };
  }
  if (recorded !== null) {
    throw new Error(`${DATABASE} holds another merge fixture (${recorded}); run with --fresh to regenerate the data set.`);
  }
  const start = performance.now();
  psql(["-1", "-v", `duplicates=${options.duplicates}`, "-v", `pair_interactions=${options.pairInteractions}`, "-f", FIXTURE,
    "-c", `create table bench.merge_fixture as select '${wanted}'::text as fingerprint`], { database: DATABASE });
  psql(["-c", "vacuum analyze"], { database: DATABASE });
  const fixtureSeconds = seconds(start);
  log(`Added the merge fixture (${count(options.duplicates)} planted duplicates, a pair with ` +
    `${count(options.pairInteractions)} interactions each) in ${fixtureSeconds} s.`);
  return { ...dataset, fixtureSeconds };
}

const ownerClaims = { sub: BIG_OWNER_ID, role: "authenticated", aud: "authenticated" };
const owner = `'${BIG_OWNER_ID}'::uuid`;

// Plain SQL finding exact duplicates only: what an app writes without match keys.
const PLAIN_FIND = `
  select distinct least(a.contact_id, b.contact_id) as x, greatest(a.contact_id, b.contact_id) as y
  from public.contact_communication_channels a
  join public.contact_communication_channels b on b.normalized_identifier = a.normalized_identifier and b.contact_id <> a.contact_id
  union
  select least(a.id, b.id), greatest(a.id, b.id)
  from public.contacts a join public.contacts b on lower(b.external_id) = lower(a.external_id) and b.id <> a.id
  union
  select least(a.id, b.id), greatest(a.id, b.id)
  from public.contacts a
  join public.contacts b on lower(b.organization) = lower(a.organization) and lower(b.display_name) = lower(a.display_name) and b.id <> a.id
  order by 1, 2 limit 50`;

// The raw UPDATEs of the merge's rows, one statement (the composite foreign keys of interactions
// and consent events to their channel are checked at its end), then the survivor's field and the
// duplicate's deletion.
const RAW_MERGE = `
  with channels as (
    update public.contact_communication_channels ch set contact_id = '${SURVIVOR}',
      is_primary = ch.is_primary and not exists (select 1 from public.contact_communication_channels p
        where p.contact_id = '${SURVIVOR}' and p.channel_type = ch.channel_type and p.is_primary)
    where ch.contact_id = '${DUPLICATE}' and ch.user_id = ${owner} returning 1),
  interactions as (update public.contact_interactions set contact_id = '${SURVIVOR}' where contact_id = '${DUPLICATE}' and user_id = ${owner} returning 1),
  memberships as (update public.contact_group_memberships set contact_id = '${SURVIVOR}' where contact_id = '${DUPLICATE}' and user_id = ${owner} returning 1),
  grants as (update public.agent_specific_contact_access set contact_id = '${SURVIVOR}' where contact_id = '${DUPLICATE}' and user_id = ${owner} returning 1),
  consent as (update public.contact_consent_events set contact_id = '${SURVIVOR}' where contact_id = '${DUPLICATE}' and user_id = ${owner} returning 1),
  audit as (update public.contact_audit_log set contact_id = '${SURVIVOR}' where contact_id = '${DUPLICATE}' and user_id = ${owner} returning 1)
  select (select count(*) from interactions) as interactions;
  delete from public.contacts where id = '${DUPLICATE}' and user_id = ${owner};
  update public.contacts set job_title = 'Buyer' where id = '${SURVIVOR}' and user_id = ${owner}`;

const WAYS = {
  find: {
    project: {
      label: "find_duplicate_contacts",
      owner: true,
      run: (c) => c.query({ name: "bench_find", text: "select * from public.find_duplicate_contacts(result_limit => 50)" }),
      rows: (result) => result.rows.length,
    },
    reference: { label: "plain exact self-joins", owner: true, run: (c) => c.query(PLAIN_FIND), rows: (result) => result.rows.length },
  },
  merge: {
    project: {
      label: "merge_contacts",
      owner: true,
      run: (c) => c.query({ name: "bench_merge", text: "select public.merge_contacts($1::uuid, $2::uuid) as report", values: [SURVIVOR, DUPLICATE] }),
      rows: (result) => result.rows[0].report.row_counts.moved.contact_interactions,
    },
    reference: {
      label: "raw UPDATEs",
      owner: false,
      run: (c) => c.query(RAW_MERGE),
      rows: (result) => Number(result[0].rows[0].interactions),
    },
  },
};

/** Each call in its own transaction, rolled back: every call sees (and moves) the same rows. */
async function timedCall(client, run) {
  await client.query("begin");
  try {
    const start = process.hrtime.bigint();
    const result = await run(client);
    return { ms: ms(start), result };
  } finally {
    await client.query("rollback");
  }
}

async function measureWay(way, options) {
  const sessions = [];
  for (const side of ["project", "reference"]) {
    const client = await connect(DATABASE);
    await client.query("set jit = off");
    if (WAYS[way][side].owner) await actAs(client, ownerClaims);
    sessions.push({ side, client, ...WAYS[way][side] });
  }
  const samples = { project: [], reference: [] };
  const rows = {};
  try {
    for (let i = 0; i < options.warmup; i += 1) for (const s of sessions) await timedCall(s.client, s.run);
    for (let i = 0; i < options.iterations; i += 1) {
      for (const s of i % 2 === 0 ? sessions : [...sessions].reverse()) {
        const { ms: elapsed, result } = await timedCall(s.client, s.run);
        samples[s.side].push({ ms: elapsed, ok: true });
        rows[s.side] = s.rows(result);
      }
    }
  } finally {
    for (const s of sessions) await s.client.end();
  }
  const project = summarize(samples.project);
  const reference = summarize(samples.reference);
  return { project, reference, ratio: project.p95 / reference.p95, rows };
}

/** The project's whole answer, page by page: how many planted duplicates it finds, per kind. */
async function recall() {
  const client = await connect(DATABASE);
  try {
    await client.query("set jit = off");
    await actAs(client, ownerClaims);
    const found = new Set();
    let after = null;
    let pages = 0;
    const start = process.hrtime.bigint();
    for (;;) {
      const { rows } = await client.query(
        `select survivor_id, duplicate_id, score::text as score from public.find_duplicate_contacts(
           result_limit => 200, after_score => $1::numeric, after_survivor_id => $2::uuid, after_duplicate_id => $3::uuid)`,
        after ? [after.score, after.survivor_id, after.duplicate_id] : [null, null, null]);
      pages += 1;
      for (const row of rows) found.add(`${row.survivor_id}:${row.duplicate_id}`).add(`${row.duplicate_id}:${row.survivor_id}`);
      if (rows.length < 200) break;
      after = rows.at(-1);
    }
    const allPagesMs = ms(start);
    // The fixture's own table is not the owner's to read: the superuser lists what was planted.
    const admin = await connect(DATABASE);
    const { rows: planted } = await admin.query(
      "select p.n % 4 as kind, p.original_id, md5('bench-merge-dup-' || p.n)::uuid as duplicate_id from bench.merge_planted p");
    await admin.end();
    const byKind = [0, 1, 2, 3].map((kind) => {
      const mine = planted.filter((p) => Number(p.kind) === kind);
      const hits = mine.filter((p) => found.has(`${p.original_id}:${p.duplicate_id}`)).length;
      return { kind, planted: mine.length, found: hits };
    });
    return { pairs: found.size / 2, pages, allPagesMs, byKind };
  } finally {
    await client.end();
  }
}

const KIND_LABELS = [
  "name in capitals, same organization, the phone number as sms",
  "last two letters of the name swapped, same organization",
  "the e-mail with a +tag (same mailbox)",
  "external id differing in case and spaces",
];

export async function runMergeBench(argv, { log = console.log } = {}) {
  const options = parseOptions(argv);
  if (options.help) return log(options.help);
  const startedAt = new Date();
  const data = ensureData(options, log);
  const admin = await connect(DATABASE);
  const machine = await describeMachine(admin);
  const { rows: [shape] } = await admin.query(
    `select (select count(*) from public.contacts) as contacts,
       (select count(*) from public.contacts where user_id = $1) as owner_contacts,
       (select count(*) from public.contact_communication_channels where user_id = $1) as owner_channels,
       (select count(*) from public.contact_interactions where contact_id = $2) as survivor_interactions,
       (select count(*) from public.contact_interactions where contact_id = $3) as duplicate_interactions`,
    [BIG_OWNER_ID, SURVIVOR, DUPLICATE]);
  await admin.end();
  log(`${machine.cores} cores, ${machine.postgres}, load average ${machine.load}`);
  log(`The big owner: ${count(shape.owner_contacts)} contacts, ${count(shape.owner_channels)} channels.`);

  const find = await measureWay("find", options);
  log(`\nfind   p50/p95 ${fixed(find.project.p50)}/${fixed(find.project.p95)} ms (find_duplicate_contacts, first page) vs ` +
    `${fixed(find.reference.p50)}/${fixed(find.reference.p95)} ms (plain exact self-joins), ratio ${find.ratio.toFixed(2)}x`);
  const found = await recall();
  log(`       all pages: ${count(found.pairs)} pairs in ${found.pages} pages, ${fixed(found.allPagesMs)} ms; planted duplicates found: ` +
    found.byKind.map((k) => `kind ${k.kind} ${k.found}/${k.planted}`).join(", "));
  const merge = await measureWay("merge", options);
  log(`merge  p50/p95 ${fixed(merge.project.p50)}/${fixed(merge.project.p95)} ms (merge_contacts) vs ` +
    `${fixed(merge.reference.p50)}/${fixed(merge.reference.p95)} ms (raw UPDATEs), ratio ${merge.ratio.toFixed(2)}x; ` +
    `interactions moved per call: ${merge.rows.project} / ${merge.rows.reference}`);

  if (options.writeDocs) {
    const command = `npm run bench -- ${argv.join(" ")}`.trim();
    writeSection("merge", renderMerge({ options, command, startedAt, machine, data, shape, find, found, merge }));
    log(`\nWrote the merge section of ${DOCS_FILE}.`);
  }
}

function renderMerge({ options, command, startedAt, machine, data, shape, find, found, merge }) {
  const verdict = (ok) => (ok ? "met" : "**not met**");
  const line = (label, way) =>
    `| ${label} | ${fixed(way.project.p50)} / ${fixed(way.project.p95)} | ${fixed(way.reference.p50)} / ${fixed(way.reference.p95)} | ` +
    `${way.ratio.toFixed(2)}x |`;
  return [
    `## Duplicates and merging: find_duplicate_contacts at ${count(shape.owner_contacts)} contacts of one owner, merge_contacts of two contacts with ${count(options.pairInteractions)} interactions each`,
    "",
    ...runHeader({ command, startedAt, machine }),
    "",
    `**Data**: the search benchmark's generator (\`bench/sql/generate.sql\`, ${sizeLabel(options.contacts)} contacts of ` +
      `${count(options.owners + 1)} owners; ${data.reused ? "reused" : "generated"}), the big owner holding ` +
      `${count(shape.owner_contacts)} contacts and ${count(shape.owner_channels)} channels, with \`bench/sql/merge_fixture.sql\`: ` +
      `${count(options.duplicates)} planted duplicates of the big owner's contacts (a quarter of each kind: ` +
      `${KIND_LABELS.map((label, i) => `${i} ${label}`).join("; ")}) and a merge pair with ${count(shape.survivor_interactions)} ` +
      `and ${count(shape.duplicate_interactions)} interactions, channels, groups, a grant listing and consent history. ` +
      `Generator and schema fingerprint ${data.fingerprint}.`,
    "",
    `**Method**: ${options.warmup} untimed then ${options.iterations} timed calls each way, taking turns on long-lived sessions, ` +
      "timed in the client around one round trip, JIT off; every call in its own transaction, rolled back. *Find*: the owner " +
      "(role `authenticated`, RLS on) asks `find_duplicate_contacts` for its first page of 50 pairs, owner-wide: every call " +
      "reads the keys the triggers noted as shared, fetches their contacts from the match-key indexes, confirms and scores " +
      "every candidate pair (trigram similarity for names) and ranks them all before cutting the page; the reference " +
      "is plain SQL finding exact duplicates only (identical normalized identifiers across types, identical lower-cased " +
      "external ids, identical lower-cased names in one organization), as the same owner. *Merge*: `merge_contacts` as the owner " +
      "vs the raw `UPDATE`s of the same rows (channels with the primary demoted, interactions, memberships, grant listing, " +
      "consent events, audit entries, in one statement), the survivor's filled field and the `DELETE` of the duplicate, sent as " +
      "one query by the superuser (the owner may not write contact_id).",
    "",
    "| | project p50 / p95 ms | reference p50 / p95 ms | p95 ratio |",
    "| --- | ---: | ---: | ---: |",
    line("find_duplicate_contacts (first page) vs plain exact self-joins", find),
    line("merge_contacts vs raw UPDATEs", merge),
    "",
    `Load average at the end of the run: ${os.loadavg().map((value) => value.toFixed(2)).join(" ")} (the machine is shared: ` +
      "other work running at the same time shows in both columns alike).",
    "",
    `Targets: duplicate finding under 1 s at ${count(shape.owner_contacts)} contacts: ${verdict(find.project.p95 < 1000)} ` +
      `(p95 ${fixed(find.project.p95)} ms); merge within 1.5x of the raw UPDATEs: ${verdict(merge.ratio <= 1.5)} ` +
      `(${merge.ratio.toFixed(2)}x). Each merge call moved ${count(merge.rows.project)} interactions (the raw way ${count(merge.rows.reference)}).`,
    "",
    `What the finding finds: all pages (200 pairs each) hold ${count(found.pairs)} pairs (${found.pages} pages, ` +
      `${fixed(found.allPagesMs)} ms in all); planted duplicates found per kind: ` +
      `${found.byKind.map((k) => `${k.kind}: ${k.found} of ${k.planted}`).join(", ")}. The other pairs are the data's own: ` +
      "people of one organization whose names sound alike (the generator draws names from Zipf-distributed lists, so " +
      "'Maria Garcia' of 'Acme Corporation' exists several times), Gmail addresses that differ only in dots.",
    "",
  ].join("\n");
}
