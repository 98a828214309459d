// npm run bench -- --gdpr: gdpr-delete and gdpr-export against plain SQL on the same rows, side by
// side in one run, at several sizes of the interactions table.
//   Data: the search benchmark's contacts and channels (bench/sql/generate.sql, default 1M contacts),
//   one data subject of the big owner with 20 channels, 50 group memberships and 10,000 interactions
//   (bench/sql/gdpr_subject.sql), then filler interactions over all contacts (bench/sql/interactions.sql,
//   reusable) up to each size (default 100k, 1M, 10M). The base is generated once into
//   contacts_gdpr_bench; each size is a copy of it (create database ... template) grown to that size,
//   kept for later runs (contacts_gdpr_bench_100k, ...).
//   Delete: public.gdpr_delete_subject (erase) vs the raw DELETEs of the same rows (interactions,
//   channels, memberships, grant, contact) in one round trip; each call in its own transaction,
//   rolled back, so every call deletes the same rows. Export: public.export_subject_data vs plain
//   SELECTs of the same rows (one round trip), also rolled back (the export records itself).
//   Both sides run as the owner (role authenticated, RLS), on long-lived sessions, taking turns.
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureDataset, migrateForward } from "./dataset.mjs";
import { measureHttp } from "./gdpr-http.mjs";
import { DOCS_FILE, runHeader, sizeLabel, writeSection } from "./docs.mjs";
import { BIG_OWNER_ID, benchId } from "./ids.mjs";
import { describeMachine } from "./machine.mjs";
import { summarize } from "./measure.mjs";
import { actAs, asSuperuser, connect } from "./session.mjs";
import { psql, queryValue } from "../../scripts/lib/postgres.mjs";

const SUBJECT_ID = benchId("bench-gdpr-subject");
const SUBJECT_INTERACTIONS = 10000;
const BASE = "contacts_gdpr_bench";
const sqlFile = (name) => fileURLToPath(new URL(`../sql/${name}`, import.meta.url));
const seconds = (start) => Math.round((performance.now() - start) / 100) / 10;
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

const USAGE = `Usage: npm run bench -- --gdpr [options]
  --contacts N      contacts in the data set (default 1000000)
  --owners N        owners besides the big one (default 100)
  --sizes LIST      interactions in the database, comma-separated (default 100000,1000000,10000000)
  --iterations N    timed calls each way, per size (default 40)
  --warmup N        untimed calls each way first (default 5)
  --http-iterations N  timed calls through the functions gateway at the largest size (default 40; 0 skips)
  --fresh           regenerate the base data set and every size
  --write-docs      replace the gdpr section of docs/benchmarks.md`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--gdpr"),
    options: {
      contacts: { type: "string", default: "1000000" },
      owners: { type: "string", default: "100" },
      sizes: { type: "string", default: "100000,1000000,10000000" },
      iterations: { type: "string", default: "40" },
      warmup: { type: "string", default: "5" },
      "http-iterations": { type: "string", default: "40" },
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
  const sizes = values.sizes.split(",").map(Number).sort((a, b) => a - b);
  if (sizes.some((n) => !Number.isInteger(n) || n <= SUBJECT_INTERACTIONS)) {
    throw new Error(`--sizes must be integers above ${SUBJECT_INTERACTIONS} (the subject's own interactions)\n\n${USAGE}`);
  }
  return {
    help: values.help ? USAGE : null,
    contacts: int("contacts", 1000),
    owners: int("owners", 1),
    sizes,
    iterations: int("iterations", 1),
    warmup: int("warmup", 0),
    httpIterations: int("http-iterations", 0),
    fresh: values.fresh,
    writeDocs: values["write-docs"],
  };
}

/** The base: the search benchmark's data set plus the subject, in contacts_gdpr_bench. */
function ensureBase(options, log) {
  if (!options.fresh) {
    migrateForward(BASE, "bench.dataset", (row) => row.contacts === options.contacts && row.owners === options.owners, log);
  }
  const dataset = ensureDataset({
    database: BASE, contacts: options.contacts, owners: options.owners, bigShare: 0.3, specificGrants: 5000, fresh: options.fresh, log,
  });
  if (queryValue("select to_regclass('bench.gdpr_base') is not null", { database: BASE }) !== "t") {
    const start = performance.now();
    psql(["-1", "-f", sqlFile("gdpr_subject.sql"), "-c",
      "create table bench.gdpr_base as select now() as generated_at"], { database: BASE });
    psql(["-c", "vacuum analyze"], { database: BASE });
    log(`Added the data subject (20 channels, 50 groups, 10,000 interactions) in ${seconds(start)} s.`);
  }
  return { ...dataset, fingerprint: queryValue("select fingerprint from bench.dataset", { database: BASE }) };
}

/** One size: a copy of the base grown to `size` interactions, reused while base and size match. */
function ensureSize(base, size, options, log) {
  const database = `${BASE}_${sizeLabel(size).toLowerCase()}`;
  if (!options.fresh) migrateForward(database, "bench.gdpr_size", (row) => Number(row.interactions) === size, log);
  const exists = queryValue(`select count(*) from pg_database where datname = '${database}'`, { database: "postgres" }) === "1";
  const recorded = exists && queryValue("select to_regclass('bench.gdpr_size') is not null", { database }) === "t"
    ? queryValue("select interactions || ':' || fingerprint from bench.gdpr_size", { database })
    : null;
  if (!options.fresh && recorded === `${size}:${base.fingerprint}`) {
    log(`Reusing ${database} (${size.toLocaleString("en-US")} interactions).`);
    return { database, generationSeconds: null };
  }
  const start = performance.now();
  psql(["-c", `drop database if exists ${database} with (force)`], { database: "postgres" });
  psql(["-c", `create database ${database} template ${BASE}`], { database: "postgres" });
  const copied = seconds(start);
  psql(["-1", "-v", "first=1", "-v", `count=${size - SUBJECT_INTERACTIONS}`, "-f", sqlFile("interactions.sql"), "-c",
    `create table bench.gdpr_size as select ${size}::bigint as interactions, '${base.fingerprint}'::text as fingerprint`], { database });
  psql(["-c", "vacuum analyze"], { database });
  const generationSeconds = seconds(start);
  log(`Created ${database}: copied the base in ${copied} s, grew it to ${size.toLocaleString("en-US")} interactions in ${generationSeconds} s.`);
  return { database, generationSeconds };
}

const ownerClaims = { sub: BIG_OWNER_ID, role: "authenticated", aud: "authenticated" };
const quoted = `'${SUBJECT_ID}'::uuid`;
const owner = `'${BIG_OWNER_ID}'::uuid`;

// The reference ways: what the same work costs in plain SQL, one round trip each.
const RAW_DELETE = [
  `delete from public.contact_interactions where contact_id = ${quoted} and user_id = ${owner}`,
  `delete from public.contact_communication_channels where contact_id = ${quoted} and user_id = ${owner}`,
  `delete from public.contact_group_memberships where contact_id = ${quoted} and user_id = ${owner}`,
  `delete from public.agent_specific_contact_access where contact_id = ${quoted} and user_id = ${owner}`,
  `delete from public.contacts where id = ${quoted} and user_id = ${owner}`,
].join(";\n");
const PLAIN_SELECTS = [
  `select * from public.contacts where id = ${quoted}`,
  `select * from public.contact_communication_channels where contact_id = ${quoted} and user_id = ${owner}`,
  `select * from public.contact_group_memberships where contact_id = ${quoted} and user_id = ${owner}`,
  `select * from public.agent_specific_contact_access where contact_id = ${quoted} and user_id = ${owner}`,
  `select * from public.contact_interactions where contact_id = ${quoted} and user_id = ${owner}`,
  `select * from public.contact_audit_log where contact_id = ${quoted} and user_id = ${owner}`,
].join(";\n");

const WAYS = {
  delete: {
    project: { label: "gdpr_delete_subject", run: (c) => c.query({ name: "bench_gdpr_delete", text: "select public.gdpr_delete_subject(contact_id => $1::uuid) as receipt", values: [SUBJECT_ID] }) },
    reference: { label: "raw DELETEs", run: (c) => c.query(RAW_DELETE) },
  },
  export: {
    project: { label: "export_subject_data", run: (c) => c.query({ name: "bench_gdpr_export", text: "select public.export_subject_data(contact_id => $1::uuid)::text as bundle", values: [SUBJECT_ID] }) },
    reference: { label: "plain SELECTs", run: (c) => c.query(PLAIN_SELECTS) },
  },
};

/** Each call in its own transaction, rolled back: every call sees (and deletes) the same rows. */
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

async function measureWay(database, way, options) {
  const sessions = [];
  for (const side of ["project", "reference"]) {
    const client = await connect(database);
    await client.query("set jit = off");
    await actAs(client, ownerClaims);
    sessions.push({ side, client, run: WAYS[way][side].run });
  }
  const samples = { project: [], reference: [] };
  let checked;
  try {
    for (let i = 0; i < options.warmup; i += 1) for (const s of sessions) await timedCall(s.client, s.run);
    for (let i = 0; i < options.iterations; i += 1) {
      for (const s of i % 2 === 0 ? sessions : [...sessions].reverse()) {
        const { ms: elapsed, result } = await timedCall(s.client, s.run);
        samples[s.side].push({ ms: elapsed });
        if (s.side === "project" && !checked) checked = result;
      }
    }
  } finally {
    for (const s of sessions) await s.client.end();
  }
  const project = summarize(samples.project);
  const reference = summarize(samples.reference);
  return { project, reference, ratio: project.p95 / reference.p95, checked };
}

/** auto_explain of one erasure (rolled back): the plans of its statements, on a fresh owner session. */
async function explainDelete(database) {
  const client = await connect(database);
  const logged = [];
  try {
    await client.query("set jit = off");
    await actAs(client, ownerClaims);
    await asSuperuser(client, () => client.query(
      "load 'auto_explain'; set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on; " +
        "set auto_explain.log_buffers = on; set auto_explain.log_nested_statements = on; set client_min_messages = log"));
    client.on("notice", (message) => logged.push(message.message));
    await timedCall(client, WAYS.delete.project.run);
  } finally {
    await client.end();
  }
  const wanted = /delete from public\.(contact_interactions|contact_communication_channels|contact_group_memberships|agent_specific_contact_access|contacts) |for update/;
  const plans = [];
  for (const message of logged) {
    const match = /^duration: ([\d.]+) ms\s+plan:\n([\s\S]*)$/.exec(message);
    if (!match) continue;
    const query = /Query Text: ([\s\S]*?)\n(?=\S)/.exec(match[2])?.[1] ?? "";
    if (wanted.test(query) && !/^select public\.gdpr_delete_subject/.test(query.trim())) {
      plans.push(`duration: ${match[1]} ms\n${match[2].trimEnd()}`);
    }
  }
  return plans;
}

const fixed = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

export async function runGdprBench(argv, log = console.log) {
  const options = parseOptions(argv);
  if (options.help) return log(options.help);
  const startedAt = new Date();
  const base = ensureBase(options, log);
  const admin = await connect(BASE);
  const machine = await describeMachine(admin);
  await admin.end();
  log(`${machine.cores} cores, ${machine.postgres}, load average ${machine.load}`);

  const results = [];
  for (const size of options.sizes) {
    const { database, generationSeconds } = ensureSize(base, size, options, log);
    const check = await connect(database);
    const { rows: [data] } = await check.query(
      `select (select count(*) from public.contacts) as contacts, (select count(*) from public.contact_interactions) as interactions,
         (select count(*) from public.contact_interactions where contact_id = $1) as subject_interactions,
         (select count(*) from public.contact_communication_channels where contact_id = $1) as subject_channels,
         (select count(*) from public.contact_group_memberships where contact_id = $1) as subject_memberships`, [SUBJECT_ID]);
    await check.end();
    const deletion = await measureWay(database, "delete", options);
    const exporting = await measureWay(database, "export", options);
    const plans = await explainDelete(database);
    const counts = deletion.checked.rows[0].receipt.counts;
    results.push({ size, database, generationSeconds, data, deletion, exporting, plans, counts });
    log(`\n${sizeLabel(size)} interactions (${Number(data.contacts).toLocaleString("en-US")} contacts):`);
    log(`  delete  p50/p95 ${fixed(deletion.project.p50)}/${fixed(deletion.project.p95)} ms (gdpr_delete_subject) vs ` +
      `${fixed(deletion.reference.p50)}/${fixed(deletion.reference.p95)} ms (raw DELETEs), ratio ${deletion.ratio.toFixed(2)}x`);
    log(`  export  p50/p95 ${fixed(exporting.project.p50)}/${fixed(exporting.project.p95)} ms (export_subject_data) vs ` +
      `${fixed(exporting.reference.p50)}/${fixed(exporting.reference.p95)} ms (plain SELECTs), ratio ${exporting.ratio.toFixed(2)}x`);
  }
  let http = null;
  if (results.length && options.httpIterations > 0) {
    const largest = results.at(-1);
    log(`\nThrough the functions gateway at ${sizeLabel(largest.size)} interactions:`);
    http = await measureHttp(largest.database, {
      subjectId: SUBJECT_ID, subjectEmail: "gudrun.subjectsdottir1@erasure-1.example", plainSelects: PLAIN_SELECTS, warmup: 3, iterations: options.httpIterations, log,
    });
    log(`  gdpr-delete  p50/p95 ${fixed(http.delete.project.p50)}/${fixed(http.delete.project.p95)} ms vs ` +
      `${fixed(http.delete.reference.p50)}/${fixed(http.delete.reference.p95)} ms (raw DELETEs, committed), ratio ${http.delete.ratio.toFixed(2)}x`);
    log(`  gdpr-export  p50/p95 ${fixed(http.export.project.p50)}/${fixed(http.export.project.p95)} ms vs ` +
      `${fixed(http.export.reference.p50)}/${fixed(http.export.reference.p95)} ms (plain SELECTs), ratio ${http.export.ratio.toFixed(2)}x`);
    log(`  a receipt check (GET gdpr-delete, one small query) p50/p95 ${fixed(http.call.p50)}/${fixed(http.call.p95)} ms`);
  }
  if (results.length) {
    const largest = results.at(-1);
    log(`\nPlans of one erasure at ${sizeLabel(largest.size)} interactions (auto_explain, rolled back):\n`);
    for (const plan of largest.plans) log(`${plan}\n`);
  }
  if (options.writeDocs) {
    const command = `npm run bench -- ${argv.join(" ")}`.trim();
    writeSection("gdpr", renderGdpr({ options, command, startedAt, machine, base, results, http }));
    log(`\nWrote the gdpr section of ${DOCS_FILE}.`);
  }
}

function renderGdpr({ options, command, startedAt, machine, base, results, http }) {
  const count = (n) => Number(n).toLocaleString("en-US");
  const verdict = (ok) => (ok ? "met" : "**not met**");
  const rows = results.map(({ size, deletion, exporting }) =>
    `| ${sizeLabel(size)} | ${fixed(deletion.project.p50)} / ${fixed(deletion.project.p95)} | ` +
    `${fixed(deletion.reference.p50)} / ${fixed(deletion.reference.p95)} | ${deletion.ratio.toFixed(2)}x | ` +
    `${fixed(exporting.project.p50)} / ${fixed(exporting.project.p95)} | ${fixed(exporting.reference.p50)} / ${fixed(exporting.reference.p95)} | ` +
    `${exporting.ratio.toFixed(2)}x |`);
  const largest = results.at(-1);
  const first = results[0];
  const met = ({ project, reference, ratio }, maxRatio, maxMs) =>
    `${verdict(ratio <= maxRatio && project.p95 <= maxMs)} (p95 ratio ${ratio.toFixed(2)}x, p95 ${fixed(project.p95)} ms; ` +
    `p50 ratio ${(project.p50 / reference.p50).toFixed(2)}x${project.p50 / reference.p50 > maxRatio ? ", above the target at p50" : ""})`;
  const pair = (s) => `${fixed(s.p50)} / ${fixed(s.p95)}`;
  const interactionsPlan = (plans) => plans.find((p) => /delete from public\.contact_interactions/.test(p)) ?? "(not captured)";
  const planLines = (plan) => plan.split("\n").filter((line) => /->|Delete on|Index|Buffers|Planning|Execution|rows=/.test(line)).join("\n");
  return [
    "## gdpr-delete and gdpr-export: one subject among 1M contacts and up to 10M interactions",
    "",
    ...runHeader({ command, startedAt, machine }),
    "",
    `**Data**: the search benchmark's generator (\`bench/sql/generate.sql\`): ${count(largest.data.contacts)} contacts of ` +
      `${count(options.owners + 1)} owners with their channels; the data subject (\`bench/sql/gdpr_subject.sql\`): one contact of ` +
      `the big owner with ${largest.data.subject_channels} channels, ${largest.data.subject_memberships} group memberships (50 groups of ` +
      `about 1,000 members), a specific-contact grant and ${count(largest.data.subject_interactions)} interactions; then filler ` +
      `interactions over all contacts (\`bench/sql/interactions.sql\`, reusable) up to each size. Generator and schema fingerprint ` +
      `${base.fingerprint}.`,
    "",
    `**Method**: each call runs in its own transaction, rolled back, so every call handles the same rows; both ways run as ` +
      `the owner (role \`authenticated\`, RLS on) on long-lived sessions, taking turns, ${options.warmup} untimed then ` +
      `${options.iterations} timed calls each, timed in the client around one round trip. *Delete*: \`gdpr_delete_subject\` ` +
      "(erase: locks, suppression of 20 identifiers as keyed hashes, traces, bulk deletes, catalog walk, receipt, audit entry) " +
      "vs the five raw `DELETE`s of the same rows (interactions, channels, memberships, grant, contact) sent as one query. " +
      "*Export*: `export_subject_data` (catalog-driven JSON bundle of every table, rendered in one statement, recorded) vs plain `SELECT *` of the same " +
      "rows (contact, channels, memberships, grant, interactions, audit entries) sent as one query.",
    "",
    "| interactions in the database | gdpr_delete_subject p50 / p95 ms | raw DELETEs p50 / p95 ms | delete p95 ratio | export_subject_data p50 / p95 ms | plain SELECTs p50 / p95 ms | export p95 ratio |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    ...(http ? [
      `**Through the functions gateway** at ${sizeLabel(largest.size)} interactions: \`POST /functions/v1/gdpr-delete\` and ` +
        "`POST /functions/v1/gdpr-export` with the owner's JWT on a gateway started for this database (gdpr-delete names each copy by " +
        "`contact_id`; gdpr-export names the subject by one of its e-mail addresses, its generated id not being an RFC 9562 uuid), " +
        "timed in the client from the request to the last byte of the answer: JWT check, the Edge Function, its pooled Postgres " +
        "connection, the SQL function, the commit and the JSON answer. Every erasure commits, so each call (either way) erases its " +
        "own copy of the subject, same shape, of an owner whose id is an RFC 9562 uuid as the functions' answers require " +
        "(`bench/sql/gdpr_copies.sql`); the reference is the same five raw `DELETE`s of a copy, committed. " +
        "The export calls export the subject itself (their records are removed afterwards); the reference is the plain `SELECT`s " +
        `above. 3 untimed then ${http.delete.project.n} timed calls each way, taking turns.`,
      "",
      "| call | p50 / p95 ms | reference | reference p50 / p95 ms | p95 ratio |",
      "| --- | ---: | --- | ---: | ---: |",
      `| gdpr-delete (HTTP) | ${pair(http.delete.project)} | raw DELETEs, committed | ${pair(http.delete.reference)} | ${http.delete.ratio.toFixed(2)}x |`,
      `| gdpr-export (HTTP) | ${pair(http.export.project)} | plain SELECTs | ${pair(http.export.reference)} | ${http.export.ratio.toFixed(2)}x |`,
      `| receipt check, \`GET gdpr-delete?identifier=...\` (HTTP, one small query) | ${pair(http.call)} | | | |`,
      "",
    ] : []),
    `**Targets at ${sizeLabel(largest.size)}**. The issue names the Edge Functions; what each number is held to (the verdict ` +
      "is on p95s, as the targets are; p50 ratios are given too, because on a shared 2-core machine a few slow calls on " +
      "either side move a p95 ratio more than the code does):",
    "",
    ...(http ? [
      `- gdpr-delete through the gateway vs the raw DELETEs (committed), <= 1.5x and <= 250 ms: ${met(http.delete, 1.5, 250)}.`,
      `- gdpr-export through the gateway vs the plain SELECTs, <= 2x and <= 500 ms: ${met(http.export, 2, 500)}.`,
    ] : []),
    `- \`gdpr_delete_subject\` vs the raw DELETEs, both one round trip on a database session (the work the database does), ` +
      `<= 1.5x and <= 250 ms: ${met(largest.deletion, 1.5, 250)}.`,
    `- \`export_subject_data\` vs the plain SELECTs, likewise, <= 2x and <= 500 ms: ` +
      `${met(largest.exporting, 2, 500)}.`,
    `- Delete time flat from ${sizeLabel(first.size)} to ${sizeLabel(largest.size)} interactions in the database: p50 ` +
      `${fixed(first.deletion.project.p50)} -> ${fixed(largest.deletion.project.p50)} ms (raw DELETEs ` +
      `${fixed(first.deletion.reference.p50)} -> ${fixed(largest.deletion.reference.p50)} ms): every statement reaches the ` +
      "subject's rows through an index on its foreign key, so the size of the tables does not enter (plans below).",
    "",
    "What the erasure adds to the raw deletes is fixed work, independent of the subject's size: resolving and locking the " +
      "contacts, hashing and storing 20 identifiers, the trace searches, the catalog walk (planned once per session), the receipt " +
      "and its audit entry. What the export adds to the plain reads is rendering 10,000 rows as JSON text (escaping every string) " +
      "where the reference sends them as rows; the answer is rendered in one pass (one `json_build_object` over the contacts' " +
      "bundles as records), because every extra level of JSON assembly copies megabytes into fresh memory. Through the gateway " +
      "both also pay what any call pays (the receipt check above: the HTTP hops, the JWT check, setting the caller on a pooled " +
      "connection, a small query), the erasure its commit, and the export moving about 8 MB of JSON through the function.",
    "",
    `The receipt of the measured erasure counted: ${Object.entries(largest.counts).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
    "",
    "### Plans",
    "",
    "The delete of the subject's interactions inside `gdpr_delete_subject`, at each size (auto_explain, `ANALYZE, BUFFERS`): " +
      "an index scan of `contact_interactions_timeline_idx` on `(contact_id, user_id)` whatever the table's size, which is why " +
      "the time stays flat.",
    "",
    ...results.flatMap(({ size, plans }) => [`${sizeLabel(size)} interactions:`, "", "```", planLines(interactionsPlan(plans)), "```", ""]),
    `Every statement of one erasure at ${sizeLabel(largest.size)} interactions that touches the subject's rows:`,
    "",
    ...largest.plans.flatMap((plan) => ["```", plan, "```", ""]),
  ].join("\n");
}
