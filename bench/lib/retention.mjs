// npm run bench -- --retention: the batched retention purge against a raw DELETE of the same rows,
// in one run, on the search benchmark's contacts (bench/sql/generate.sql) plus ten interactions per
// contact (bench/sql/retention.sql), 30% of them past retention. Scratch database:
// contacts_retention_bench (the purge is destructive; each run first restores the purged rows).
// Figures: throughput of both ways and their ratio, the longest single transaction of the purge,
// search_contacts_for_agent p95 while the purge runs vs idle, and a second run's duration.
import { fileURLToPath } from "node:url";
import { ensureDataset } from "./dataset.mjs";
import { DOCS_FILE, sizeLabel, writeSection } from "./docs.mjs";

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
const partitioningFile = fileURLToPath(new URL("../sql/retention_partitioning.sql", import.meta.url));
// The partitioning experiment's sample: ids whose first byte is below this, of 256 (one in eight).
const PARTITIONING_SAMPLE_BYTE = 32;
const PARTITIONING_UNMEASURED = "**Time partitioning of `contact_interactions`: not measured in this run** " +
  "(`--partitioning` measures it on a sample).";

// Why the keyset batches were slow and what the sweep changes: measured with auto_explain (nested
// statements, ANALYZE, BUFFERS) on the batch functions, at 20,000 and at 1M contacts.
const FINDINGS = [
  "**Where the keyset purge lost its time.** Not in triggers or bookkeeping: `contact_interactions` has no delete " +
    "trigger and no foreign key points at it, the hold check is a hashed probe of the 1,000 held contacts, and the run log " +
    "is one row update per batch. auto_explain of one 5,000-row batch at 200,000 interactions: the ordered window scan " +
    "over `(user_id, occurred_at)` 10.7 ms (an incremental sort for the `id` tie-breaker included), the aggregate that " +
    "collects the ctids and the next keyset position (two more sorts of the window) 11 ms, the delete by ctid 12 ms, " +
    "about 5 us a row against 1.8 us for a plain `DELETE` of the same owner's rows; the rows are read twice. At 10M " +
    "interactions the order of the reads matters more than their number: every owner's timeline grows at once, so one " +
    "owner's rows sit a few to a heap page, a batch touches about as many pages as rows, and a purge owner by owner reads " +
    "and dirties each old page once per owner (101 times here), where the `DELETE` reads each page once. The keyset-only " +
    "row above is that way on the same rows.",
  "**The fix.** A run with many interactions to delete (at least a twentieth of the table) sweeps them across owners: a " +
    "window of `occurred_at` at a time, one bitmap scan of `(user_id, occurred_at)` for every swept owner, the pages read " +
    "in block order once for all owners, the rows deleted in the same pass as they are found, and the count per owner " +
    "taken from `RETURNING`. Windows adapt to hold about 5,000 rows (at most 10,000 a statement); a step sweeps for " +
    "about 200 ms. A first version swept ranges of heap blocks instead (TID range scans): 0.40x to 0.49x of the raw " +
    "delete here, because it read the whole table, the 70% without old rows included, through shared buffers. The run " +
    "right after a large purge took 4.7 s at first: its keyset walked the index entries of the 3M deleted rows (they stay " +
    "until vacuum). A sweep that ends now records a per-owner watermark (everything older is gone but held rows), voided " +
    "by triggers when an older interaction is written or a hold is released, and the next run starts there.",
];

/** The issue's four targets, met or not, in one line. */
function targetsLine(figures) {
  const verdict = (met) => (met ? "met" : "**not met**");
  return `Targets: throughput >= 0.5x of the raw delete: ${verdict(figures.ratio >= 0.5)} (${figures.ratio.toFixed(2)}x; ` +
    `${figures.ratioAlone.toFixed(2)}x of the raw delete run alone); longest transaction <= 500 ms: ` +
    `${verdict(figures.longestStepMs <= 500)} (${figures.longestStepMs.toFixed(0)} ms); search p95 during the purge <= 1.25x ` +
    `idle: ${verdict(figures.searchRatio <= 1.25)} (${figures.searchRatio.toFixed(2)}x; the raw delete: ` +
    `${figures.rawSearchRatio.toFixed(2)}x); second run < 1 s with nothing to do: ` +
    `${verdict(figures.secondMs < 1000 && figures.secondRows <= 10)} (${figures.secondRows} row(s), ${figures.secondMs.toFixed(0)} ms: ` +
    "rows that passed the cutoff since the first run started).";
}

/** The partitioning experiment's figures and what they mean for this project. */
function partitioningSection(partitioning) {
  if (!partitioning) return [PARTITIONING_UNMEASURED];
  const { load, purge, erase, lookup } = partitioning.rows;
  const n = (value) => Number(value).toLocaleString("en-US");
  const t = (value) => `${Number(value) >= 100 ? Math.round(Number(value)).toLocaleString("en-US") : Number(value).toFixed(1)} ms`;
  const r = (row) => `${(Number(row.partitioned_ms) / Number(row.plain_ms)).toFixed(2)}x`;
  return [
    "### Time partitioning of `contact_interactions`",
    "",
    `Measured in the same run (\`bench/sql/retention_partitioning.sql\`) on one interaction in eight (${n(load.plain_rows)} rows), ` +
      "loaded into a plain table with the keys and indexes of `contact_interactions` and into a table partitioned by month of " +
      `\`occurred_at\` (a partition per month of the data and a default partition; the primary key has to become \`(id, occurred_at)\`):`,
    "",
    "| measure | plain | partitioned by month | partitioned / plain |",
    "| --- | ---: | ---: | ---: |",
    `| load: insert, keys and indexes | ${t(load.plain_ms)} | ${t(load.partitioned_ms)} | ${r(load)} |`,
    `| purge past ${RETAIN_DAYS} days, holds kept (plain: one \`DELETE ... WHERE\`; partitioned: every month wholly past the cutoff detached, ` +
      `its held rows inserted again (into the default partition), the month dropped, then a \`DELETE\` in the month at the cutoff) | ` +
      `${n(purge.plain_rows)} rows, ${t(purge.plain_ms)} | ${n(purge.partitioned_rows)} rows, ${t(purge.partitioned_ms)} | ${r(purge)} |`,
    `| erase the interactions of 200 contacts, one contact a statement (gdpr-delete's shape) | ${t(erase.plain_ms)} | ${t(erase.partitioned_ms)} | ${r(erase)} |`,
    `| read 2,000 interactions by id | ${t(lookup.plain_ms)} | ${t(lookup.partitioned_ms)} | ${r(lookup)} |`,
    "",
    "**Not adopted.** Dropping whole months is the fastest purge there is, but this data set is its best case: every owner " +
      `has the same ${RETAIN_DAYS}-day delete policy, so a month past the cutoff is past it for everyone. Policies here are per ` +
      "owner and opt-in (an owner without a policy keeps everything), so in a shared table a month is wholly expired only when " +
      "every owner with rows in it deletes at that age; otherwise their rows have to be copied out before the drop, which is the " +
      "row-by-row work partitioning was meant to avoid. Held rows have to be copied out in any case (legal hold: they survive, " +
      "in the default partition). What every other query pays is in the table: the primary key must include `occurred_at`, so " +
      "a read or update by id probes every month's index, and so does erasing a contact's interactions (gdpr-delete, merges); " +
      "converting the table is a rewrite at the load rate above under an exclusive lock. The sweep gets the purge's " +
      "throughput target without these costs; partitioning is worth it for a deployment with one retention period for all " +
      "(a single tenant), where `pg_partman` can create and drop the months.",
  ];
}

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
async function batchedRun(database, { keyset = false } = {}) {
  const client = await connect(database);
  try {
    // Keyset batches only (the way before the sweep), for the comparison of --compare-keyset.
    if (keyset) await client.query("set contacts.retention_sweep_min_rows = '1000000000000'");
    const start = process.hrtime.bigint();
    const { rows: [{ run }] } = await client.query("select private.retention_run_start(false, null, null, 'sql', $1, true) as run", [BATCH_SIZE]);
    const steps = [];
    for (let more = true; more;) {
      const stepStart = process.hrtime.bigint();
      more = (await client.query("select private.retention_run_step($1) as more", [run])).rows[0].more;
      steps.push(ms(stepStart));
    }
    const { rows: [finished] } = await client.query("select status, affected_rows, batches, longest_batch_ms, sweep_end_at is not null as swept from private.retention_run_finish($1)", [run]);
    return { totalMs: ms(start), steps, ...finished, affected: Number(finished.affected_rows) };
  } finally {
    await client.end();
  }
}

/**
 * The partitioning experiment (bench/sql/retention_partitioning.sql) on a sample of the table as it
 * is before the purge; returns its table of figures and drops its scratch schema.
 */
async function partitioningExperiment(admin, database, log) {
  const start = performance.now();
  psql(["-v", "ON_ERROR_STOP=1", "-v", `sample_byte=${PARTITIONING_SAMPLE_BYTE}`, "-v", `retain_days=${RETAIN_DAYS}`, "-f", partitioningFile], { database });
  const { rows } = await admin.query("select measure, plain_ms, partitioned_ms, plain_rows, partitioned_rows from bench_partitioning.timings");
  const { rows: [parts] } = await admin.query(
    "select count(*) - 1 as months from pg_inherits where inhparent = 'bench_partitioning.parted'::regclass");
  await admin.query("drop schema bench_partitioning cascade");
  await admin.query("checkpoint");
  log(`Partitioning experiment in ${Math.round(performance.now() - start) / 1000} s.`);
  return { rows: Object.fromEntries(rows.map((r) => [r.measure, r])), monthsLeft: Number(parts.months) };
}

export async function runRetentionBench(argv, log = console.log) {
  const withPartitioning = argv.includes("--partitioning");
  const compareKeyset = argv.includes("--compare-keyset");
  const options = parseOptions(argv.filter((arg) => !["--retention", "--partitioning", "--compare-keyset"].includes(arg)));
  if (options.help) return log(`npm run bench -- --retention [--contacts N] [--owners N] [--fresh] [--partitioning] [--compare-keyset] [--write-docs]\n(ten interactions per contact; --partitioning also measures a time-partitioned copy of a sample; --compare-keyset also purges the same rows with the keyset batches only)`);
  const database = "contacts_retention_bench";
  const interactions = options.contacts * 10;
  const startedAt = new Date();
  ensureDataset({ ...options, database, log });
  ensureInteractions(database, interactions, log);
  const admin = await connect(database);
  try {
    await restore(admin, log);
    // The restore bypasses the triggers that void watermarks: none may survive it.
    await admin.query("truncate private.retention_runs, private.retention_run_items, private.retention_watermarks, public.agent_contact_access_log");
    const partitioning = withPartitioning ? await partitioningExperiment(admin, database, log) : null;
    const machine = await describeMachine(admin);
    const { rows: [data] } = await admin.query(
      `select (select count(*) from public.contacts) as contacts, (select count(*) from public.contact_interactions) as interactions,
         (select count(*) from public.contacts where legal_hold) as held, (select count(*) from auth.users) as owners`);
    const names = (await admin.query(
      `select lower(left(display_name, 4)) as q from public.contacts where user_id = $1 and status = 'active' order by md5(id::text) limit 20`,
      [BIG_OWNER_ID])).rows.map((r) => r.q);
    await admin.query("select count(*) from public.contact_interactions"); // warm the cache for both ways alike

    // Reference: the raw DELETE of the same rows (past retention, not under legal hold), rolled back.
    const rawDelete = async () => {
      await admin.query("begin");
      const start = process.hrtime.bigint();
      const result = await admin.query(
        `delete from public.contact_interactions i
         where i.occurred_at < now() - make_interval(days => $1)
           and not exists (select 1 from public.contacts c where c.id = i.contact_id and c.user_id = i.user_id and c.legal_hold)`,
        [RETAIN_DAYS]);
      const elapsed = ms(start);
      await admin.query("rollback");
      return { rows: result.rowCount, ms: elapsed };
    };
    // The rolled-back delete's hint bits, before the next way runs.
    const vacuum = () => admin.query("vacuum public.contact_interactions");
    const rawAlone = await rawDelete();
    await vacuum();

    const idle = await searchLoop(database, names, () => true, 200);
    // Like for like: the purge runs with the search loop alongside, so the reference does too.
    let rawRunning = true;
    const duringRawLoop = searchLoop(database, names, () => !rawRunning, 20);
    const raw = await rawDelete();
    rawRunning = false;
    const duringRaw = await duringRawLoop;
    await vacuum();

    let purging = true;
    const during = searchLoop(database, names, () => !purging, 50);
    const purge = await batchedRun(database);
    purging = false;
    const busy = await during;
    const second = await batchedRun(database);

    // The keyset batches alone on the same rows: restored, then purged the old way, with the
    // search loop alongside as the sweep had.
    let keyset = null;
    if (compareKeyset) {
      await restore(admin, log);
      await admin.query("truncate private.retention_runs, private.retention_run_items, private.retention_watermarks");
      let keysetRunning = true;
      const duringKeysetLoop = searchLoop(database, names, () => !keysetRunning, 20);
      keyset = await batchedRun(database, { keyset: true });
      keysetRunning = false;
      keyset.search = await duringKeysetLoop;
    }

    const figures = {
      rawAloneRows: rawAlone.rows, rawAloneMs: rawAlone.ms, rawAloneRate: rawAlone.rows / (rawAlone.ms / 1000),
      rawRows: raw.rows, rawMs: raw.ms, rawRate: raw.rows / (raw.ms / 1000),
      purgedRows: purge.affected, purgeMs: purge.totalMs, purgeRate: purge.affected / (purge.totalMs / 1000),
      batches: purge.steps.length, longestStepMs: Math.max(...purge.steps), longestInsideMs: Number(purge.longest_batch_ms),
      p95Idle: percentile(idle, 0.95), p95Busy: percentile(busy, 0.95), p95Raw: percentile(duringRaw, 0.95),
      idleCalls: idle.length, busyCalls: busy.length, rawCalls: duringRaw.length,
      secondMs: second.totalMs, secondRows: second.affected,
    };
    figures.ratio = figures.purgeRate / figures.rawRate;
    figures.ratioAlone = figures.purgeRate / figures.rawAloneRate;
    figures.searchRatio = figures.p95Busy / figures.p95Idle;
    figures.rawSearchRatio = figures.p95Raw / figures.p95Idle;
    const rate = (rows, elapsed) => `${rows.toLocaleString("en-US")} rows in ${(elapsed / 1000).toFixed(1)} s = ${Math.round(rows / (elapsed / 1000)).toLocaleString("en-US")} rows/s`;
    const lines = [
      `| measure | value | target |`,
      `| --- | ---: | --- |`,
      `| raw \`DELETE ... WHERE\` (one transaction, rolled back), with the search loop alongside | ${rate(raw.rows, raw.ms)} | reference |`,
      `| raw \`DELETE ... WHERE\` alone | ${rate(rawAlone.rows, rawAlone.ms)} | |`,
      `| batched purge (\`retention_run_step\`, batch size ${BATCH_SIZE}: ${purge.swept ? `a sweep across owners, at most ${(BATCH_SIZE * 2).toLocaleString("en-US")} rows a statement` : "keyset windows of that many rows"}, steps of about 200 ms), with the search loop alongside | ${rate(purge.affected, purge.totalMs)}, ${figures.batches} transactions | |`,
      `| throughput, batched / raw (both with the search loop) | ${figures.ratio.toFixed(2)}x | >= 0.5x |`,
      `| throughput, batched / raw alone | ${figures.ratioAlone.toFixed(2)}x | |`,
      `| longest single transaction (client round trip; inside the function) | ${figures.longestStepMs.toFixed(0)} ms; ${figures.longestInsideMs.toFixed(0)} ms | <= 500 ms |`,
      `| search_contacts_for_agent p95, idle (${figures.idleCalls} calls) | ${figures.p95Idle.toFixed(2)} ms | |`,
      `| search_contacts_for_agent p95, during the purge (${figures.busyCalls} calls) | ${figures.p95Busy.toFixed(2)} ms | |`,
      `| p95 during the purge / idle | ${figures.searchRatio.toFixed(2)}x | <= 1.25x |`,
      `| search_contacts_for_agent p95, during the raw \`DELETE\` (${figures.rawCalls} calls) / idle | ${figures.p95Raw.toFixed(2)} ms, ${figures.rawSearchRatio.toFixed(2)}x | |`,
      `| second run right after (rows: those that passed the cutoff since the first run started) | ${figures.secondRows} row(s), ${figures.secondMs.toFixed(0)} ms | < 1 s, nothing to do |`,
      ...(keyset ? [
        `| for comparison: keyset batches only (sweep disabled), the same rows restored, search loop alongside; run last, so the machine's load may differ (see its search p95) | ${rate(keyset.affected, keyset.totalMs)}, ${keyset.steps.length} transactions, longest ${Math.max(...keyset.steps).toFixed(0)} ms; ${(keyset.affected / (keyset.totalMs / 1000) / figures.rawRate).toFixed(2)}x of the raw delete; search p95 ${percentile(keyset.search, 0.95).toFixed(2)} ms | |`,
      ] : []),
    ];
    log(`\n${lines.join("\n")}`);
    if (options.writeDocs) {
      const command = `npm run bench -- ${argv.join(" ")}`.trim();
      writeSection("retention", [
        `## Retention purge at ${sizeLabel(options.contacts)} contacts, ${sizeLabel(interactions)} interactions`,
        "",
        `**Command**: \`${command}\`, run ${startedAt.toISOString().replace(/\.\d+Z$/, "Z")}.`,
        "",
        `**Machine**: ${machine.cores} cores, ${machine.cpu}, ${machine.memory} RAM; ${machine.postgres} (${machine.settings}); ` +
          `Node ${machine.node}; load average at start ${machine.load} (the machine is shared with other work).`,
        "",
        `**Data**: ${Number(data.contacts).toLocaleString("en-US")} contacts of ${data.owners} owners (${data.held} under legal hold), ` +
          `${Number(data.interactions).toLocaleString("en-US")} interactions over ${SPAN_DAYS} days, inserted oldest first; ` +
          `one \`interactions\`/\`delete\` policy of ${RETAIN_DAYS} days per owner, so 30% are past retention.`,
        "",
        "**Method**: the raw reference deletes the same rows (past retention, contact not held) in one statement, timed in " +
          "the client, then rolls back (and a vacuum sets the hint bits it left); it runs twice, alone and with the search " +
          "loop alongside, as the purge runs with it (the ratio compares like with like; the ratio to the raw delete alone is " +
          "given too). The batched purge is the drivers' loop (`retention_run_start` under the session lock, " +
          "`retention_run_step` until done, each step its own transaction, timed in the client around each call, so a " +
          "step's commit and round trip are included). The search loop is a second session calling " +
          "`search_contacts_for_agent` as the big owner (20 name prefixes); the idle p95 comes from the same loop before " +
          "either delete. The second run starts right after the first ends.",
        "",
        ...lines,
        "",
        targetsLine(figures),
        "",
        ...FINDINGS.flatMap((paragraph) => [paragraph, ""]),
        ...partitioningSection(partitioning),
      ].join("\n"));
      log(`\nWrote the retention section of ${DOCS_FILE}.`);
    }
    return figures;
  } finally {
    await admin.end();
  }
}
