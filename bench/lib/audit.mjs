// npm run bench -- audit [--write-docs]: what the audit trail costs, and how fast db:health answers.
//  1. A batch of 10k contacts inserted and then updated, and 10k channels inserted and then
//     updated, each statement timed with the audit triggers and with them disabled (the same
//     statements, every other trigger in place), rounds alternating the order, each in a
//     transaction that rolls back. Scratch database contacts_audit_bench, holding the search
//     benchmark's 100k-contact data set underneath (bench/sql/generate.sql).
//  2. `npm run db:health` (collectHealth) on 1M contacts, contacts_health_bench, filled set-based by
//     bench/sql/health.sql (db:health reads the catalog, so only the sizes matter there).
// Both data sets are generated once and reused while their generator and the migrations are unchanged.
import { createHash } from "node:crypto";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { collectHealth } from "../../scripts/db-health.mjs";
import { COMPAT_FILE, dbUrl } from "../../scripts/lib/config.mjs";
import { applyCompat, listMigrations, migrate } from "../../scripts/lib/migrate.mjs";
import { psql, queryValue } from "../../scripts/lib/postgres.mjs";
import { ensureDataset, describeSchema } from "./dataset.mjs";
import { DOCS_FILE, runHeader, sizeLabel, writeSection } from "./docs.mjs";
import { describeMachine } from "./machine.mjs";
import { connect } from "./session.mjs";

const USAGE = `Usage: npm run bench -- audit [options]
  --rows N              rows per batch (default 10000)
  --rounds N            timed rounds, each way (default 7)
  --base N              contacts of the data set under the batches (default 100000)
  --health-contacts N   contacts of the data set db:health is timed on (default 1000000; 0 skips it)
  --health-runs N       timed db:health runs (default 5)
  --write-docs          replace the audit section of docs/benchmarks.md with the results`;

const BATCH_OWNER = "ab000000-0000-4000-8000-000000000001";
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round1 = (value) => Math.round(value * 10) / 10;

// The batch, statement by statement: what an import or a bulk edit does.
const STATEMENTS = [
  {
    id: "contacts_insert",
    label: "insert 10k contacts",
    sql: `insert into public.contacts (user_id, first_name, last_name, organization, job_title, tags, metadata, external_id)
          select $1, 'First' || g, 'Last' || g, 'Batch Org ' || (g % 500), 'Engineer', array['batch', 'tag' || (g % 7)],
            jsonb_build_object('batch', g), 'batch-' || g
          from generate_series(1, $2) as g`,
  },
  {
    id: "contacts_update",
    label: "update 10k contacts (2 columns)",
    sql: `update public.contacts set organization = organization || ' Group', job_title = 'Senior Engineer' where user_id = $1`,
  },
  {
    id: "channels_insert",
    label: "insert 10k channels",
    sql: `insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, consent_status)
          select c.user_id, c.id, 'email', c.external_id || '@batch.example', 'unknown' from public.contacts c where c.user_id = $1`,
  },
  {
    id: "channels_update",
    label: "update 10k channels (2 columns)",
    sql: `update public.contact_communication_channels set label = 'work', consent_status = 'granted' where user_id = $1`,
  },
];

async function auditTriggers(client) {
  const { rows } = await client.query(`
    select format('alter table %s disable trigger %I', t.tgrelid::regclass, t.tgname) as disable
    from pg_catalog.pg_trigger t where t.tgfoid = 'private.record_contact_audit()'::regprocedure
    and t.tgrelid in ('public.contacts'::regclass, 'public.contact_communication_channels'::regclass)`);
  return rows.map((row) => row.disable);
}

/** One round one way: the four statements in a transaction that rolls back. */
async function oneRound(client, { audited, rows, disable }) {
  const times = {};
  await client.query("begin");
  try {
    if (!audited) for (const statement of disable) await client.query(statement);
    for (const statement of STATEMENTS) {
      const start = process.hrtime.bigint();
      const result = await client.query(statement.sql, statement.id === "contacts_insert" ? [BATCH_OWNER, rows] : [BATCH_OWNER]);
      times[statement.id] = ms(start);
      if (result.rowCount !== rows) throw new Error(`${statement.id} changed ${result.rowCount} rows, not ${rows}`);
    }
    const { rows: [{ n }] } = await client.query(
      "select count(*)::int as n from public.contact_audit_log where user_id = $1 and occurred_at = now()", [BATCH_OWNER]);
    times.audit_rows = n;
  } finally {
    await client.query("rollback");
  }
  return times;
}

async function triggerOverhead({ database, rows, rounds, log }) {
  const client = await connect(database);
  try {
    await client.query(
      "insert into auth.users (id, email) values ($1, 'audit-batch@bench.example') on conflict (id) do nothing", [BATCH_OWNER]);
    await client.query("vacuum analyze public.contacts, public.contact_communication_channels, public.contact_audit_log");
    const disable = await auditTriggers(client);
    const samples = { audited: [], plain: [] };
    await oneRound(client, { audited: true, rows, disable }); // warm-up, untimed
    await oneRound(client, { audited: false, rows, disable });
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? [true, false] : [false, true];
      for (const audited of order) samples[audited ? "audited" : "plain"].push(await oneRound(client, { audited, rows, disable }));
      log(`  round ${round + 1}/${rounds}`);
    }
    const results = STATEMENTS.map((statement) => {
      const audited = median(samples.audited.map((s) => s[statement.id]));
      const plain = median(samples.plain.map((s) => s[statement.id]));
      return { ...statement, audited, plain, ratio: audited / plain };
    });
    // The batch: the sum of the statements' medians (a round's total mixes the noise of four).
    const batch = (side) => results.reduce((sum, r) => sum + r[side], 0);
    return {
      results,
      total: { audited: batch("audited"), plain: batch("plain"), ratio: batch("audited") / batch("plain") },
      auditRows: samples.audited[0].audit_rows,
      plainAuditRows: samples.plain[0].audit_rows,
    };
  } finally {
    await client.end();
  }
}

const HEALTH_SQL = fileURLToPath(new URL("../sql/health.sql", import.meta.url));

/** The 1M-contact database for db:health, made once and reused while its inputs are unchanged. */
function ensureHealthDataset(database, contacts, log) {
  // db:health reads the catalog: the tables and indexes matter, not the functions' bodies, so the
  // data set is kept while the generator and the list of migrations stay the same.
  const print = createHash("sha256").update(fs.readFileSync(HEALTH_SQL)).update(fs.readFileSync(COMPAT_FILE))
    .update(listMigrations().map((m) => m.version).join()).digest("hex").slice(0, 16);
  const exists = queryValue(`select count(*) from pg_database where datname = '${database}'`, { database: "postgres" }) === "1";
  if (exists && queryValue("select to_regclass('bench.health_dataset') is not null", { database }) === "t" &&
      queryValue("select contacts || ':' || fingerprint from bench.health_dataset", { database }) === `${contacts}:${print}`) {
    log(`Reusing ${database}: ${contacts.toLocaleString("en-US")} contacts.`);
    return;
  }
  psql(["-c", `drop database if exists ${database} with (force)`, "-c", `create database ${database}`], { database: "postgres" });
  applyCompat(database);
  migrate({ database });
  const start = performance.now();
  psql(["-1", "-v", `contacts=${contacts}`, "-f", HEALTH_SQL], { database });
  psql(["-c", "vacuum analyze", "-c", "select private.take_table_size_snapshot()"], { database });
  const seconds = Math.round(performance.now() - start) / 1000;
  psql(["-c", `insert into bench.health_dataset values (${contacts}, '${print}', ${seconds})`], { database });
  log(`Generated ${database}: ${contacts.toLocaleString("en-US")} contacts, their channels and audit rows in ${seconds} s.`);
}

async function healthTiming({ database, runs }) {
  const connectionString = dbUrl(database);
  await collectHealth({ connectionString }); // warm-up
  const full = [];
  const catalog = [];
  let report;
  for (let i = 0; i < runs; i += 1) {
    report = await collectHealth({ connectionString });
    full.push(report.elapsed_ms);
    catalog.push((await collectHealth({ connectionString, advisor: false })).elapsed_ms);
  }
  const contacts = report.tables.items.find((t) => t.schema === "public" && t.table === "contacts");
  return {
    full: { median: median(full), max: Math.max(...full) },
    catalog: { median: median(catalog), max: Math.max(...catalog) },
    contacts,
    databaseBytes: report.database.size_bytes,
    tables: report.tables.items.length,
    indexes: report.indexes.items.length,
    advisorAvailable: report.advisor.available,
  };
}

const gb = (bytes) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

function render({ command, startedAt, machine, schema, base, overhead, health, rows, rounds }) {
  const table = [
    "| statement | with audit triggers, median ms | without, median ms | ratio |",
    "| --- | ---: | ---: | ---: |",
    ...overhead.results.map((r) => `| ${r.label.replace("10k", sizeLabel(rows))} | ${round1(r.audited)} | ${round1(r.plain)} | ${r.ratio.toFixed(2)}x |`),
    `| **the whole batch** (sum of the medians) | **${round1(overhead.total.audited)}** | **${round1(overhead.total.plain)}** | **${overhead.total.ratio.toFixed(2)}x** |`,
  ];
  const lines = [
    "## Audit trail overhead and db:health",
    "",
    ...runHeader({ command, startedAt, machine }),
    "",
    `**Schema**: the migrations of commit ${schema.commit}${schema.uncommitted ? " with uncommitted changes" : ""} ` +
      `(generator and schema fingerprint ${schema.fingerprint}).`,
    "",
    "### Trigger overhead on a batch insert and update",
    "",
    `A new owner's batch on top of the search benchmark's ${sizeLabel(base)}-contact data set (${base.toLocaleString("en-US")} contacts, ` +
      "their channels and their audit trail): each statement touches " + `${rows.toLocaleString("en-US")} rows in one statement. ` +
      `The same four statements run with the audit triggers and with them disabled (\`alter table ... disable trigger\` on the ` +
      "audit triggers only: normalization, display names and `updated_at` triggers run both ways), in one transaction per " +
      `round that rolls back; ${rounds} rounds each way after one untimed round each, alternating which way goes first. ` +
      `Each audited batch wrote ${overhead.auditRows.toLocaleString("en-US")} audit rows (one per changed row), the other ${overhead.plainAuditRows}.`,
    "",
    ...table,
    "",
    `Target: at most 1.3x on the batch insert and update. Measured: ${overhead.total.ratio.toFixed(2)}x for the whole batch; ` +
      `per statement from ${Math.min(...overhead.results.map((r) => r.ratio)).toFixed(2)}x to ` +
      `${Math.max(...overhead.results.map((r) => r.ratio)).toFixed(2)}x. Absolute times depend on what else the machine runs ` +
      "(see the load average above); both ways take turns within each round, so the ratios compare like with like.",
    "",
    "Why it is cheap: the triggers are statement-level with transition tables (one `insert ... select` into the log per " +
      "statement, not one call per row), and the changed columns are found by comparing old and new rows column by column in " +
      "that one statement (built from the catalog), without converting rows to JSON. Statements of up to 20 rows (an API " +
      "call) take a path with cached plans instead, so a single-row update does not pay for planning a statement.",
    "",
  ];
  if (health) {
    lines.push(
      `### db:health on ${sizeLabel(health.size)} contacts`,
      "",
      `\`collectHealth\` (what \`npm run db:health\` prints) on a database of ${health.size.toLocaleString("en-US")} contacts of 101 ` +
        `owners with 1.5 channels each and an audit row per contact and channel (bench/sql/health.sql; ${gb(health.databaseBytes)}, ` +
        `${health.tables} tables, ${health.indexes} indexes), one warm-up then ${health.runs} runs each way:`,
      "",
      "| report | median ms | max ms |",
      "| --- | ---: | ---: |",
      `| full (with the advisor lints, run in parallel) | ${health.full.median} | ${health.full.max} |`,
      `| \`--no-advisor\` (catalog and statistics only) | ${health.catalog.median} | ${health.catalog.max} |`,
      "",
      "Target: under 2 s. Every figure comes from the catalog and the statistics views (`pg_class.reltuples`, file sizes, " +
        "`pg_stat_*`, `pg_stat_statements`): no `count(*)`, no table scan, so the time does not grow with the rows.",
      "",
    );
  }
  return lines.join("\n");
}

export async function runAuditBench(argv, { log = console.log } = {}) {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "audit" && arg !== "--audit"),
    options: {
      rows: { type: "string", default: "10000" },
      rounds: { type: "string", default: "7" },
      base: { type: "string", default: "100000" },
      "health-contacts": { type: "string", default: "1000000" },
      "health-runs": { type: "string", default: "5" },
      "write-docs": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return log(USAGE);
  const rows = Number(values.rows);
  const rounds = Number(values.rounds);
  const base = Number(values.base);
  const healthContacts = Number(values["health-contacts"]);
  const runs = Number(values["health-runs"]);
  const startedAt = new Date();
  const dataset = { owners: 100, bigShare: 0.3, specificGrants: 5000, log };

  ensureDataset({ ...dataset, database: "contacts_audit_bench", contacts: base });
  const admin = await connect("contacts_audit_bench");
  const machine = await describeMachine(admin);
  await admin.end();
  log(`${machine.cores} cores, ${machine.postgres}, load average ${machine.load}`);
  log(`\nAudit trigger overhead, ${rows.toLocaleString("en-US")}-row batches, ${rounds} rounds each way:`);
  const overhead = await triggerOverhead({ database: "contacts_audit_bench", rows, rounds, log });
  for (const r of overhead.results) {
    log(`  ${r.label.replace("10k", sizeLabel(rows)).padEnd(34)} audited ${round1(r.audited).toString().padStart(8)} ms   without ${round1(r.plain).toString().padStart(8)} ms   ${r.ratio.toFixed(2)}x`);
  }
  log(`  ${"the whole batch".padEnd(34)} audited ${round1(overhead.total.audited).toString().padStart(8)} ms   without ${round1(overhead.total.plain).toString().padStart(8)} ms   ${overhead.total.ratio.toFixed(2)}x`);

  let health = null;
  if (healthContacts > 0) {
    ensureHealthDataset("contacts_health_bench", healthContacts, log);
    log(`\ndb:health on ${healthContacts.toLocaleString("en-US")} contacts, ${runs} runs:`);
    health = { ...(await healthTiming({ database: "contacts_health_bench", runs })), size: healthContacts, runs };
    log(`  full report: median ${health.full.median} ms, max ${health.full.max} ms (advisor ${health.advisorAvailable ? "ran" : "unavailable"})`);
    log(`  --no-advisor: median ${health.catalog.median} ms, max ${health.catalog.max} ms`);
  }

  if (values["write-docs"]) {
    const command = `npm run bench -- ${argv.join(" ")}`.trim();
    writeSection("audit", render({ command, startedAt, machine, schema: describeSchema(), base, overhead, health, rows, rounds }));
    log(`\nWrote the audit section of ${DOCS_FILE}.`);
  }
}
