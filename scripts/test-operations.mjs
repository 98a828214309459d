#!/usr/bin/env node
// The operator tools, end to end against the local cluster (prints TAP):
//  1. `npm run db:health -- -o json` on the seeded database: the shape of every section.
//  2. db:health reports a session waiting on a lock and the session blocking it.
//  3. The migration runner on a lock wait (scratch database, throw-away migrations): a test holds a
//     lock while a migration runs; the runner reports the blocker's pid and query, retries with
//     backoff and applies the migration once the blocker is gone, or gives up cleanly. It refuses
//     a database that applied a migration the folder does not have.
//  4. `npm run docs:schema -- --check` fails once the catalog changes under a generated file.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { dbUrl, ROOT } from "./lib/config.mjs";
import { listMigrations, migrate } from "./lib/migrate.mjs";
import { psql, queryValue, StackError, startCluster, tmpDir } from "./lib/postgres.mjs";
import { Tap } from "./lib/tap.mjs";

const SCRATCH = "contacts_operations_test";
const node = (script, args, options = {}) =>
  spawnSync(process.execPath, [path.join(ROOT, "scripts", script), ...args], { encoding: "utf8", cwd: ROOT, ...options });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const isNumber = (value) => typeof value === "number" && Number.isFinite(value);
const children = [];

/** A psql session of our own running `sql` in the background, named so that we can find it. */
function background(database, applicationName, sql) {
  const child = spawn("psql", ["-X", "-q", "-d", dbUrl(database), "-c", sql], {
    env: { ...process.env, PGAPPNAME: applicationName },
    stdio: "ignore",
  });
  child.on("error", () => {});
  children.push(child);
  return child;
}

async function until(description, check, timeoutMs = 10000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const value = check();
    if (value) return value;
    await sleep(50);
  }
  throw new StackError(`timed out waiting until ${description}`);
}

const pidOf = (database, applicationName) =>
  queryValue(`select coalesce(max(pid), 0) from pg_stat_activity where application_name = '${applicationName}'`, { database });

const terminate = (database, applicationName) =>
  psql(["-c", `select pg_terminate_backend(pid) from pg_stat_activity where application_name = '${applicationName}'`], { database });

// ---- 1 and 2: db:health ------------------------------------------------------------------------

function healthShape(tap) {
  const run = node("db-health.mjs", ["-o", "json"]);
  let report = null;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    // reported below
  }
  tap.ok(run.status === 0 && report !== null, "db:health -o json answers with JSON on the seeded database", run.stderr || run.stdout.slice(0, 500));
  if (!report) return;
  tap.ok(
    JSON.stringify(Object.keys(report).sort()) ===
      JSON.stringify(["advisor", "database", "elapsed_ms", "findings", "generated_at", "indexes", "locks", "migrations", "rls", "statements", "tables"]),
    "the report has exactly its sections: database, migrations, locks, tables, indexes, statements, rls, advisor, findings, timing",
    Object.keys(report).join(", "),
  );
  const onDisk = listMigrations().map((m) => m.version);
  tap.ok(
    JSON.stringify(report.migrations.applied.map((m) => m.version)) === JSON.stringify(onDisk) && report.migrations.pending.length === 0,
    `migrations: all ${onDisk.length} migrations on disk are listed as applied, none pending`,
  );
  tap.ok(report.migrations.applied.every((m) => isNumber(m.execution_time_ms) && typeof m.applied_at === "string"),
    "migrations: each carries its recorded execution time (ms) and when it was applied");
  tap.ok(Array.isArray(report.locks.waiting) && report.locks.waiting.length === 0, "locks: no session waits on a lock on the idle database");
  const contacts = report.tables.items.find((t) => t.schema === "public" && t.table === "contacts");
  tap.ok(contacts && isNumber(contacts.row_estimate) && contacts.total_bytes > 0 && isNumber(contacts.index_bytes),
    "tables: public.contacts has a row estimate and its sizes", JSON.stringify(contacts));
  tap.ok(contacts?.growth && typeof contacts.growth.since === "string" && isNumber(contacts.growth.rows) && isNumber(contacts.growth.total_bytes),
    "tables: growth since the last snapshot (the migration's baseline) is reported", JSON.stringify(contacts?.growth));
  tap.ok(report.tables.snapshots.scheduled === true && report.tables.snapshots.schedule === "17 3 * * *",
    "tables: the daily snapshot job is scheduled with pg_cron", JSON.stringify(report.tables.snapshots));
  tap.ok(report.indexes.items.length > 0 && report.indexes.items.every((i) => isNumber(i.scans) && isNumber(i.size_bytes)),
    "indexes: every index with its scans and size");
  tap.ok(Array.isArray(report.indexes.unused) && report.indexes.duplicates.length === 0 && Array.isArray(report.indexes.redundant),
    "indexes: unused indexes listed, no duplicate index in the schema", JSON.stringify(report.indexes.duplicates));
  tap.ok(report.statements.available === true && report.statements.items.length > 0 && report.statements.items.every((s) => isNumber(s.mean_ms) && typeof s.query === "string"),
    "statements: the slowest statements come from pg_stat_statements", report.statements.reason ?? "");
  const audit = report.rls.items.find((t) => t.table === "contact_audit_log");
  tap.ok(report.rls.tables_without_rls.length === 0 && audit?.rls_enabled &&
    JSON.stringify(audit.policies) === JSON.stringify({ select: ["contact_audit_log_select_policy"], insert: [], update: [], delete: [] }) &&
    JSON.stringify(audit.commands_by_role) === JSON.stringify({ authenticated: ["select"] }),
    "rls: every table of public has RLS; policies are listed per table, command and role", JSON.stringify(audit));
  tap.ok(report.advisor.available === true && isNumber(report.advisor.total) && isNumber(report.advisor.unexpected) &&
    ["error", "warning", "info"].every((level) => isNumber(report.advisor.by_severity[level])) &&
    Object.values(report.advisor.by_category).reduce((a, b) => a + b, 0) === report.advisor.total,
    "advisor: the splinter lints are counted by severity and category (npm run lint judges them)", JSON.stringify(report.advisor));
  tap.ok(report.findings.every((f) => ["info", "warning"].includes(f.level) && typeof f.message === "string"),
    "findings: each has a level and a message");
  tap.ok(isNumber(report.elapsed_ms) && report.elapsed_ms < 15000,
    `the whole report took ${report.elapsed_ms} ms (the advisor's share grows with the machine's load; npm run bench -- audit times it on 1M contacts)`);
  const catalogOnly = JSON.parse(node("db-health.mjs", ["-o", "json", "--no-advisor"]).stdout || "{}");
  tap.ok(catalogOnly.elapsed_ms < 2000, `without the advisor lints the report took ${catalogOnly.elapsed_ms} ms (under 2 s)`);
  const text = node("db-health.mjs", []);
  tap.ok(text.status === 0 && ["== Migrations", "== Lock waits", "== Tables", "== Indexes", "== Slowest statements", "== Row level security", "== Advisor"]
    .every((heading) => text.stdout.includes(heading)), "the text report has a section for each part");
}

async function healthSeesLockWaits(tap) {
  background(undefined, "ops-test holder", "begin; lock table public.contact_retention_policies in access exclusive mode; select pg_sleep(120);");
  await until("the holder holds its lock", () =>
    queryValue("select count(*) from pg_locks l join pg_stat_activity a using (pid) where a.application_name = 'ops-test holder' " +
      "and l.relation = 'public.contact_retention_policies'::regclass and l.granted") === "1");
  background(undefined, "ops-test waiter", "select count(*) from public.contact_retention_policies;");
  await until("the waiter waits", () =>
    queryValue("select count(*) from pg_stat_activity where application_name = 'ops-test waiter' and wait_event_type = 'Lock'") === "1");
  const holder = Number(pidOf(undefined, "ops-test holder"));
  const waiter = Number(pidOf(undefined, "ops-test waiter"));
  const run = node("db-health.mjs", ["-o", "json"]);
  const report = JSON.parse(run.stdout || "{}");
  terminate(undefined, "ops-test holder");
  terminate(undefined, "ops-test waiter");
  const wait = report.locks?.waiting?.find((w) => w.pid === waiter);
  tap.ok(wait && /on public\.contact_retention_policies$/.test(wait.waiting_for) && wait.query.includes("contact_retention_policies"),
    "db:health lists a session waiting on a lock, the lock it waits for and its query", JSON.stringify(report.locks));
  tap.ok(wait?.blocked_by.some((b) => b.pid === holder && b.query.includes("lock table public.contact_retention_policies")),
    "db:health names the blocking session's pid and query", JSON.stringify(wait?.blocked_by));
  tap.ok(report.findings?.some((f) => f.level === "warning" && f.message.includes(`pid ${waiter}`) && f.message.includes(`pid ${holder}`)),
    "the lock wait is a warning among the findings");
  const locked = report.tables?.items.find((t) => t.table === "contact_retention_policies");
  tap.ok(run.status === 0 && report.elapsed_ms < 2000 && locked?.size_source === "estimate (relation locked)" && locked.total_bytes >= 0,
    "db:health does not queue behind the lock: the locked table is sized from pg_class, the report answers at once",
    `${report.elapsed_ms} ms; ${JSON.stringify(locked)}; ${run.stderr}`);
  tap.ok(report.advisor?.available === false && /exclusive lock/.test(report.advisor.reason),
    "the advisor lints, which would queue behind the lock, are skipped and the report says why", JSON.stringify(report.advisor));
}

// ---- 3: the migration runner on lock waits -------------------------------------------------------

function scratchMigrations() {
  const dir = tmpDir();
  fs.mkdirSync(path.join(dir, "migrations"));
  fs.mkdirSync(path.join(dir, "rollbacks"));
  const write = (name, sql) => fs.writeFileSync(path.join(dir, "migrations", name), sql);
  write("20990101000000_lock_probe.sql", "create table public.lock_probe (id integer primary key);\n" +
    "comment on table public.lock_probe is 'A table the operations test locks.';\n");
  write("20990101000001_lock_probe_note.sql", "set lock_timeout = '1s';\nalter table public.lock_probe add column note text;\n");
  write("20990101000002_lock_probe_flag.sql", "set lock_timeout = '1s';\nalter table public.lock_probe add column flag boolean;\n");
  return { dir, migrations: listMigrations(path.join(dir, "migrations"), path.join(dir, "rollbacks")) };
}

async function holdProbeLock() {
  background(SCRATCH, "ops-test probe holder", "begin; lock table public.lock_probe in access share mode; select pg_sleep(120);");
  await until("the probe holder holds its lock", () =>
    queryValue("select count(*) from pg_locks l join pg_stat_activity a using (pid) where a.application_name = 'ops-test probe holder' " +
      "and l.relation = 'public.lock_probe'::regclass and l.granted", { database: SCRATCH }) === "1");
  return Number(pidOf(SCRATCH, "ops-test probe holder"));
}

async function migrationLockWaits(tap) {
  const { dir, migrations } = scratchMigrations();
  migrate({ database: SCRATCH, migrations, upTo: "20990101000000" });

  // The blocker goes away after the first report: the retry applies the migration.
  let holder = await holdProbeLock();
  const lines = [];
  let applied = [];
  const started = Date.now();
  try {
    applied = migrate({
      database: SCRATCH,
      migrations,
      upTo: "20990101000001",
      lockRetries: 2,
      lockBackoffMs: 300,
      log: (line) => {
        lines.push(line);
        if (/hit its lock_timeout/.test(line)) terminate(SCRATCH, "ops-test probe holder");
      },
    });
  } catch (error) {
    lines.push(`threw: ${error.message}`);
  }
  const report = lines.find((line) => /hit its lock_timeout/.test(line)) ?? "";
  tap.ok(report.includes("attempt 1 of 3") && report.includes(`blocked by pid ${holder}`),
    "a migration stopped by its lock_timeout is reported with the pid of the session blocking it", lines.join("\n"));
  tap.ok(report.includes("lock table public.lock_probe in access share mode") && report.includes("AccessExclusiveLock on public.lock_probe"),
    "the report shows the blocker's query and the lock the migration waited for", report);
  tap.ok(/Retrying in 300 ms/.test(report) && applied.map((m) => m.version).join() === "20990101000001",
    "the runner retries after the backoff and applies the migration once the blocker is gone", lines.join("\n"));
  tap.ok(queryValue("select count(*) from information_schema.columns where table_name = 'lock_probe' and column_name = 'note'", { database: SCRATCH }) === "1" &&
    queryValue("select count(*) from supabase_migrations.schema_migrations where version = '20990101000001'", { database: SCRATCH }) === "1",
    "the retried migration is applied and recorded once");
  tap.ok(Date.now() - started >= 1000 + 300, "the first attempt waited its full lock_timeout (1 s) before the backoff");

  // The blocker stays: bounded retries with a doubling backoff, then a clean failure.
  holder = await holdProbeLock();
  const attempts = [];
  let failure = null;
  const begun = Date.now();
  try {
    migrate({ database: SCRATCH, migrations, lockRetries: 2, lockBackoffMs: 200, log: (line) => attempts.push(line) });
  } catch (error) {
    failure = error;
  }
  const elapsed = Date.now() - begun;
  terminate(SCRATCH, "ops-test probe holder");
  tap.ok(failure instanceof StackError && /gave up after 3 attempts, each stopped by its lock_timeout; nothing of it was applied/.test(failure.message),
    "with the blocker still there the runner gives up after a bounded number of attempts", failure?.message ?? "it did not fail");
  tap.ok(failure?.message.includes(`blocked by pid ${holder}`) && failure.message.includes("select pg_sleep(120)"),
    "the final error names the blocking pid and its query", failure?.message);
  tap.ok(attempts.filter((line) => /hit its lock_timeout/.test(line)).length === 2 &&
    attempts.some((line) => /Retrying in 200 ms/.test(line)) && attempts.some((line) => /Retrying in 400 ms/.test(line)),
    "each retry is announced, the backoff doubling (200 ms, then 400 ms)", attempts.join("\n"));
  tap.ok(elapsed >= 3 * 1000 + 600, `three attempts of 1 s plus 600 ms of backoff took ${elapsed} ms`);
  tap.ok(queryValue("select count(*) from information_schema.columns where table_name = 'lock_probe' and column_name = 'flag'", { database: SCRATCH }) === "0" &&
    queryValue("select count(*) from supabase_migrations.schema_migrations where version = '20990101000002'", { database: SCRATCH }) === "0",
    "the abandoned migration left nothing behind: no column, no record");
  const watcherGone = await until("the lock watcher disconnects", () =>
    queryValue("select count(*) from pg_stat_activity where application_name = 'contacts-migrate lock watcher'", { database: SCRATCH }) === "0", 3000)
    .catch(() => false);
  tap.ok(watcherGone, "the runner's lock watcher is gone once the runner returns");
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The runner refuses a history with a version the folder lacks, before applying anything. */
function migrationHistory(tap) {
  const { dir, migrations } = scratchMigrations();
  const withoutNote = migrations.filter((m) => m.version !== "20990101000001");
  let failure = null;
  try {
    migrate({ database: SCRATCH, migrations: withoutNote });
  } catch (error) {
    failure = error;
  }
  tap.ok(failure instanceof StackError && failure.message.includes("not in the migrations folder: 20990101000001_lock_probe_note") &&
    failure.message.includes("npm run db:reset"),
    "a database that applied a migration the folder lacks is refused, naming it and the way out", failure?.message ?? "it did not fail");
  tap.ok(queryValue("select count(*) from supabase_migrations.schema_migrations where version = '20990101000002'", { database: SCRATCH }) === "0",
    "nothing after it was applied");
  tap.ok(migrate({ database: SCRATCH, migrations }).map((m) => m.version).join() === "20990101000002",
    "with the folder complete again the pending migration applies");
  fs.rmSync(dir, { recursive: true, force: true });
}

// ---- 4: docs staleness -----------------------------------------------------------------------------

function docsStaleness(tap) {
  const file = path.join(tmpDir(), "schema.md");
  const write = node("docs-schema.mjs", ["--database", SCRATCH, "--output", file]);
  const docs = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  tap.ok(write.status === 0 && docs.includes("### public.lock_probe") && docs.includes("A table the operations test locks."),
    "docs:schema writes the tables of a database with their comments", write.stderr);
  tap.ok(docs.includes("20990101000000_lock_probe") && docs.includes("table `public.lock_probe`") && docs.includes("**missing**"),
    "the migration map says which migration created the table, and that it has no rollback file");
  tap.ok(node("docs-schema.mjs", ["--database", SCRATCH, "--output", file, "--check"]).status === 0,
    "docs:schema --check passes right after generating");
  psql(["-c", "comment on table public.lock_probe is 'Changed after the docs were generated.'"], { database: SCRATCH });
  const stale = node("docs-schema.mjs", ["--database", SCRATCH, "--output", file, "--check"]);
  tap.ok(stale.status === 1 && /is stale: run npm run docs:schema/.test(stale.stderr),
    "docs:schema --check fails once a comment in the catalog differs from the generated file", stale.stderr || stale.stdout);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

async function main() {
  await startCluster();
  const tap = new Tap();
  try {
    healthShape(tap);
    await healthSeesLockWaits(tap);
    psql(["-c", `drop database if exists ${SCRATCH} with (force)`, "-c", `create database ${SCRATCH}`], { database: "template1" });
    await migrationLockWaits(tap);
    migrationHistory(tap);
    docsStaleness(tap);
  } finally {
    for (const child of children) child.kill();
    psql(["-c", `drop database if exists ${SCRATCH} with (force)`], { database: "template1" });
  }
  process.exit(tap.done() ? 0 : 1);
}

main().catch((error) => {
  for (const child of children) child.kill();
  console.error(error instanceof StackError ? error.message : error);
  console.log("not ok 1 - operations checks ran");
  process.exit(1);
});
