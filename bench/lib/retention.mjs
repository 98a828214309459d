// npm run bench -- --retention: the batched retention purge against a raw DELETE of the same rows,
// in one run, on the search benchmark's contacts (bench/sql/generate.sql) plus ten interactions per
// contact (bench/sql/retention.sql), 30% of them past retention. Scratch database:
// contacts_retention_bench (the purge is destructive; each run first restores the purged rows).
// Figures: throughput of both ways and their ratio, the longest single transaction of the purge,
// search_contacts_for_agent p95 while the purge runs vs idle, and a second run's duration.
import { fileURLToPath } from "node:url";
import { ensureDataset } from "./dataset.mjs";
import fs from "node:fs";
import { sizeLabel, DOCS_FILE } from "./docs.mjs";

/** Replaces (or appends) this benchmark's section of docs/benchmarks.md, between its start/end markers. */
function writeRetentionSection(markdown, file = DOCS_FILE) {
  const begin = "<!-- bench:retention:start -->";
  const end = "<!-- bench:retention:end -->";
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n";
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, next);
}
import { ALL_CONTACTS_AGENT_ID, BIG_OWNER_ID } from "./ids.mjs";
import { describeMachine } from "./machine.mjs";
import { percentile } from "./measure.mjs";
import { parseOptions } from "./options.mjs";
import { actAs, connect } from "./session.mjs";
import { psql, queryValue } from "../../scripts/lib/postgres.mjs";

const SPAN_DAYS = 1000;
const RETAIN_DAYS = 700;
const BATCH_SIZE = 5000;
const sqlFile = fileURLToPath(new URL("../sql/retention.sql", import.meta.url));
const PARTITIONING = "**Time partitioning of `contact_interactions`: not done.** Dropping an expired monthly " +
  "partition is nearly free, but only when every row in it is past retention for its owner and none belongs to a " +
  "contact under legal hold. Policies are per owner (each owner's cutoff differs, many owners have none), so a " +
  "partition is rarely expired as a whole; held rows would have to be moved out first; the primary key and every " +
  "unique key would have to include occurred_at; and converting a 10M-row table is a full rewrite under an exclusive " +
  "lock. The batched purge above meets its latency targets without it; partitioning is worth revisiting only for a " +
  "single-tenant deployment with one global retention period.";
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

function ensureInteractions(database, interactions, log) {
  const has = queryValue("select to_regclass('bench.retention_dataset') is not null", { database }) === "t"
    && queryValue("select interactions from bench.retention_dataset", { database }) === String(interactions);
  if (has) return log(`Reusing the ${interactions.toLocaleString("en-US")} interactions of ${database}.`);
  const start = performance.now();
  psql(["-1", "-v", `interactions=${interactions}`, "-v", `span_days=${SPAN_DAYS}`, "-v", `retain_days=${RETAIN_DAYS}`, "-f", sqlFile], { database });
  psql(["-c", "vacuum analyze"], { database });
  log(`Generated ${interactions.toLocaleString("en-US")} interactions in ${Math.round(performance.now() - start) / 1000} s (load, indexes, vacuum analyze).`);
}

/** Puts back what an earlier run purged, so every run starts from the same rows. */
async function restore(admin, log) {
  const { rows: [{ missing }] } = await admin.query(
    `select count(*)::bigint as missing from bench.expired_interactions e
     where not exists (select 1 from public.contact_interactions i where i.id = e.id)`);
  if (Number(missing) === 0) return;
  // The purge's dead rows go first, so the restored rows take their place (and the table's size).
  await admin.query("vacuum public.contact_interactions");
  await admin.query("set session_replication_role = replica");
  await admin.query(`insert into public.contact_interactions select e.* from bench.expired_interactions e
     where not exists (select 1 from public.contact_interactions i where i.id = e.id)`);
  await admin.query("reset session_replication_role");
  await admin.query("vacuum analyze public.contact_interactions");
  log(`Restored ${Number(missing).toLocaleString("en-US")} interactions purged by an earlier run.`);
}

/** Search latencies on one session as the big owner, until `until()` is true (at least `minCalls`). */
async function searchLoop(database, names, until, minCalls) {
  const client = await connect(database);
  await actAs(client, { sub: BIG_OWNER_ID, role: "authenticated" });
  const samples = [];
  try {
    for (let i = 0; samples.length < minCalls || !until(); i += 1) {
      const start = process.hrtime.bigint();
      await client.query({ name: "bench_search", text: "select * from public.search_contacts_for_agent($1::uuid, $2::text)", values: [ALL_CONTACTS_AGENT_ID, names[i % names.length]] });
      samples.push(ms(start));
    }
  } finally {
    await client.end();
  }
  return samples.sort((a, b) => a - b);
}

/** One batched run on its own session, as the pg_cron job and the Edge Function drive it. */
async function batchedRun(database) {
  const client = await connect(database);
  try {
    const start = process.hrtime.bigint();
    const { rows: [{ run }] } = await client.query("select private.retention_run_start(false, null, null, 'sql', $1, true) as run", [BATCH_SIZE]);
    const steps = [];
    for (let more = true; more;) {
      const stepStart = process.hrtime.bigint();
      more = (await client.query("select private.retention_run_step($1) as more", [run])).rows[0].more;
      steps.push(ms(stepStart));
    }
    const { rows: [finished] } = await client.query("select status, affected_rows, batches, longest_batch_ms, sweep_end_block is not null as swept from private.retention_run_finish($1)", [run]);
    return { totalMs: ms(start), steps, ...finished, affected: Number(finished.affected_rows) };
  } finally {
    await client.end();
  }
}

export async function runRetentionBench(argv, log = console.log) {
  const options = parseOptions(argv.filter((arg) => arg !== "--retention"));
  if (options.help) return log(`npm run bench -- --retention [--contacts N] [--owners N] [--fresh] [--write-docs]\n(ten interactions per contact)`);
  const database = "contacts_retention_bench";
  const interactions = options.contacts * 10;
  const startedAt = new Date();
  ensureDataset({ ...options, database, log });
  ensureInteractions(database, interactions, log);
  const admin = await connect(database);
  try {
    await restore(admin, log);
    await admin.query("truncate private.retention_runs, private.retention_run_items, public.agent_contact_access_log");
    const machine = await describeMachine(admin);
    const { rows: [data] } = await admin.query(
      `select (select count(*) from public.contacts) as contacts, (select count(*) from public.contact_interactions) as interactions,
         (select count(*) from public.contacts where legal_hold) as held, (select count(*) from auth.users) as owners`);
    const names = (await admin.query(
      `select lower(left(display_name, 4)) as q from public.contacts where user_id = $1 and status = 'active' order by md5(id::text) limit 20`,
      [BIG_OWNER_ID])).rows.map((r) => r.q);
    await admin.query("select count(*) from public.contact_interactions"); // warm the cache for both ways alike

    // Reference: the raw DELETE of the same rows (past retention, not under legal hold), rolled back.
    await admin.query("begin");
    const rawStart = process.hrtime.bigint();
    const raw = await admin.query(
      `delete from public.contact_interactions i
       where i.occurred_at < now() - make_interval(days => $1)
         and not exists (select 1 from public.contacts c where c.id = i.contact_id and c.user_id = i.user_id and c.legal_hold)`,
      [RETAIN_DAYS]);
    const rawMs = ms(rawStart);
    await admin.query("rollback");
    await admin.query("vacuum public.contact_interactions"); // the rolled-back delete's hint bits, before the batched run

    const idle = await searchLoop(database, names, () => true, 200);
    let purging = true;
    const during = searchLoop(database, names, () => !purging, 50);
    const purge = await batchedRun(database);
    purging = false;
    const busy = await during;
    const second = await batchedRun(database);

    const figures = {
      rawRows: raw.rowCount, rawMs, rawRate: raw.rowCount / (rawMs / 1000),
      purgedRows: purge.affected, purgeMs: purge.totalMs, purgeRate: purge.affected / (purge.totalMs / 1000),
      batches: purge.steps.length, longestStepMs: Math.max(...purge.steps), longestInsideMs: Number(purge.longest_batch_ms),
      p95Idle: percentile(idle, 0.95), p95Busy: percentile(busy, 0.95), idleCalls: idle.length, busyCalls: busy.length,
      secondMs: second.totalMs, secondRows: second.affected,
    };
    figures.ratio = figures.purgeRate / figures.rawRate;
    figures.searchRatio = figures.p95Busy / figures.p95Idle;
    const lines = [
      `| measure | value | target |`,
      `| --- | ---: | --- |`,
      `| raw \`DELETE ... WHERE\` (one transaction, rolled back) | ${figures.rawRows.toLocaleString("en-US")} rows in ${(rawMs / 1000).toFixed(1)} s = ${Math.round(figures.rawRate).toLocaleString("en-US")} rows/s | reference |`,
      `| batched purge (\`retention_run_step\`, batch size ${BATCH_SIZE}: ${purge.swept ? `a sweep in block order, ${BATCH_SIZE / 20} blocks a statement` : "keyset windows of that many rows"}, steps of about 200 ms) | ${figures.purgedRows.toLocaleString("en-US")} rows in ${(purge.totalMs / 1000).toFixed(1)} s = ${Math.round(figures.purgeRate).toLocaleString("en-US")} rows/s, ${figures.batches} transactions | |`,
      `| throughput, batched / raw | ${figures.ratio.toFixed(2)}x | >= 0.5x |`,
      `| longest single transaction (client round trip; inside the function) | ${figures.longestStepMs.toFixed(0)} ms; ${figures.longestInsideMs.toFixed(0)} ms | <= 500 ms |`,
      `| search_contacts_for_agent p95, idle (${figures.idleCalls} calls) | ${figures.p95Idle.toFixed(2)} ms | |`,
      `| search_contacts_for_agent p95, during the purge (${figures.busyCalls} calls) | ${figures.p95Busy.toFixed(2)} ms | |`,
      `| p95 during / idle | ${figures.searchRatio.toFixed(2)}x | <= 1.25x |`,
      `| second run right after | ${figures.secondRows} rows, ${figures.secondMs.toFixed(0)} ms | < 1 s, nothing to do |`,
    ];
    log(`\n${lines.join("\n")}`);
    if (options.writeDocs) {
      const command = `npm run bench -- ${argv.join(" ")}`.trim();
      writeRetentionSection([
        `## Retention purge at ${sizeLabel(options.contacts)} contacts, ${sizeLabel(interactions)} interactions`,
        "",
        `**Command**: \`${command}\`, run ${startedAt.toISOString().replace(/\.\d+Z$/, "Z")}.`,
        "",
        `**Machine**: ${machine.cores} cores, ${machine.cpu}, ${machine.memory} RAM; ${machine.postgres} (${machine.settings}).`,
        "",
        `**Data**: ${Number(data.contacts).toLocaleString("en-US")} contacts of ${data.owners} owners (${data.held} under legal hold), ` +
          `${Number(data.interactions).toLocaleString("en-US")} interactions over ${SPAN_DAYS} days, inserted oldest first; ` +
          `one \`interactions\`/\`delete\` policy of ${RETAIN_DAYS} days per owner, so 30% are past retention.`,
        "",
        "**Method**: the raw reference deletes the same rows (past retention, contact not held) in one statement, timed in " +
          "the client, then rolls back (and a vacuum sets the hint bits it left). The batched purge is the drivers' loop " +
          "(`retention_run_start` under the session lock, `retention_run_step` until done, each step its own transaction, " +
          "timed in the client around each call, so a step's commit and round trip are included). While it runs, a second " +
          "session calls `search_contacts_for_agent` as the big owner in a loop (20 name prefixes); the idle p95 comes " +
          "from the same loop before the purge. The second run starts right after the first ends.",
        "",
        ...lines,
        "",
        PARTITIONING,
      ].join("\n"));
      log(`\nWrote the retention section of ${DOCS_FILE}.`);
    }
    return figures;
  } finally {
    await admin.end();
  }
}
