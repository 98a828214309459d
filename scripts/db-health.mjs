#!/usr/bin/env node
// npm run db:health [-- -o json] [--database NAME | --db-url URL] [--snapshot] [--top N]
// One report of the running database, from the catalog and the statistics views only (no count(*),
// no table scans, so it answers in well under 2 s on millions of contacts):
//   migrations  applied (with the execution time the runner recorded) and pending
//   locks       sessions waiting on a lock right now, and who blocks them
//   tables      size and row estimate per table, growth since the last daily snapshot (pg_cron)
//   indexes     scans and size per index; unused, duplicate and redundant (prefix) indexes
//   statements  the slowest statements from pg_stat_statements, where it is loaded
//   rls         tables of the exposed schema without RLS, policies per table, command and role
//   advisor     Supabase's advisor lints (splinter), counted by severity and category
import pg from "pg";
import { runAdvisorAsync, summarizeFindings } from "./lib/advisor.mjs";
import { parseOptions } from "./lib/args.mjs";
import { dbUrl } from "./lib/config.mjs";
import { LOCK_WAITS_SQL, describeLockWait } from "./lib/locks.mjs";
import { runMain } from "./lib/main.mjs";
import { listMigrations } from "./lib/migrate.mjs";
import { StackError, startCluster } from "./lib/postgres.mjs";

const PROJECT_SCHEMAS = ["public", "private"];
const EXPOSED_SCHEMAS = ["public"];
const SNAPSHOT_JOB = "contacts-table-size-snapshot";
const COMMANDS = ["select", "insert", "update", "delete"];

const USAGE = `Usage: npm run db:health -- [options]
  -o, --output text|json   report format (default text)
  --database NAME          a database of the local cluster (default postgres)
  --db-url URL             any PostgreSQL connection string (a hosted project, say)
  --snapshot               take a table size snapshot now, before reporting
  --top N                  slowest statements listed (default 10)
  --no-advisor             skip the advisor lints (splinter)`;

async function migrationsSection(client) {
  const { rows: [meta] } = await client.query(`
    select to_regclass('supabase_migrations.schema_migrations') is not null as present,
      exists (select from information_schema.columns where table_schema = 'supabase_migrations'
              and table_name = 'schema_migrations' and column_name = 'execution_time_ms') as timed`);
  let applied = [];
  if (meta.present) {
    const columns = meta.timed ? "applied_at, execution_time_ms::float8 as execution_time_ms" : "null::timestamptz as applied_at, null::float8 as execution_time_ms";
    ({ rows: applied } = await client.query(`select version, name, ${columns} from supabase_migrations.schema_migrations order by version`));
  }
  const versions = new Set(applied.map((m) => m.version));
  let pending = [];
  try {
    pending = listMigrations().filter((m) => !versions.has(m.version)).map(({ version, name }) => ({ version, name }));
  } catch {
    // Not run from a checkout with migrations: nothing to compare with.
  }
  const timed = applied.filter((m) => m.execution_time_ms != null);
  return {
    recorded: meta.present,
    applied: applied.map((m) => ({
      version: m.version,
      name: m.name,
      applied_at: m.applied_at?.toISOString() ?? null,
      execution_time_ms: m.execution_time_ms,
    })),
    pending,
    total_execution_time_ms: timed.length ? Math.round(timed.reduce((sum, m) => sum + m.execution_time_ms, 0) * 10) / 10 : null,
    slowest: [...timed].sort((a, b) => b.execution_time_ms - a.execution_time_ms).slice(0, 3).map((m) => `${m.version}_${m.name}`),
  };
}

async function locksSection(client) {
  const { rows } = await client.query(LOCK_WAITS_SQL, [null]);
  return { waiting: rows.map((row) => row.wait) };
}

// Sizes come from the files (pg_table_size and friends), which take a share lock on each relation:
// behind a migration holding or queueing for an exclusive lock they would wait, and so would the
// report. Relations with such a lock (and, should one appear meanwhile, every relation after a
// lock timeout) are sized from pg_class.relpages instead, the estimate vacuum and analyze keep.
const CONTENDED_SQL = `
  select coalesce(array_agg(distinct l.relation), '{}') as oids
  from pg_catalog.pg_locks l
  where l.database = (select d.oid from pg_catalog.pg_database d where d.datname = current_database())
    and l.relation is not null and l.pid <> pg_catalog.pg_backend_pid()
    and (not l.granted or l.mode = 'AccessExclusiveLock')`;

async function contendedRelations(client) {
  return (await client.query(CONTENDED_SQL)).rows[0].oids.map(Number);
}

const isLockTimeout = (error) => error?.code === "55P03";

/** Runs a sizing query with exact sizes, or with estimates only after a lock timeout. */
async function sized(client, run) {
  try {
    return await run(await contendedRelations(client), false);
  } catch (error) {
    if (!isLockTimeout(error)) throw error;
    return run([], true);
  }
}

async function tablesSection(client, { snapshot }) {
  const { rows: [meta] } = await client.query(`
    select to_regclass('private.table_size_snapshots') is not null as snapshots,
      to_regclass('cron.job') is not null as cron`);
  if (snapshot && meta.snapshots) await client.query("select private.take_table_size_snapshot()");
  const last = meta.snapshots
    ? `left join lateral (
         select p.taken_at, p.row_estimate, p.total_bytes from private.table_size_snapshots p
         where p.schema_name = c.nspname and p.table_name = c.relname order by p.taken_at desc limit 1) as snap on true`
    : "left join (select null::timestamptz as taken_at, null::bigint as row_estimate, null::bigint as total_bytes) as snap on true";
  const { rows } = await sized(client, (contended, estimateAll) => client.query(`
    with tables as (
      select c.oid, n.nspname, c.relname, c.reltuples, c.relpages, c.reltoastrelid,
        $3::boolean or c.oid = any ($2::oid[]) or c.reltoastrelid = any ($2::oid[])
          or exists (select 1 from pg_catalog.pg_index x where x.indrelid = c.oid and x.indexrelid = any ($2::oid[])) as estimated
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any ($1) and c.relkind in ('r', 'p')
    ),
    sizes as (
      select t.*,
        case when t.estimated
          then (t.relpages + coalesce((select tc.relpages from pg_catalog.pg_class tc where tc.oid = t.reltoastrelid), 0))::float8
               * current_setting('block_size')::float8
          else pg_catalog.pg_table_size(t.oid)::float8 end as table_bytes,
        case when t.estimated
          then coalesce((select sum(i.relpages) from pg_catalog.pg_index x join pg_catalog.pg_class i on i.oid = x.indexrelid
                         where x.indrelid = t.oid), 0)::float8 * current_setting('block_size')::float8
          else pg_catalog.pg_indexes_size(t.oid)::float8 end as index_bytes
      from tables t
    )
    select c.nspname as schema, c.relname as table, not c.estimated as exact,
      (case when c.reltuples >= 0 then c.reltuples::bigint else coalesce(s.n_live_tup, 0) end)::float8 as row_estimate,
      c.table_bytes, c.index_bytes, c.table_bytes + c.index_bytes as total_bytes,
      coalesce(s.seq_scan, 0)::float8 as seq_scans, coalesce(s.idx_scan, 0)::float8 as index_scans,
      coalesce(s.n_dead_tup, 0)::float8 as dead_rows,
      greatest(s.last_analyze, s.last_autoanalyze) as last_analyzed,
      snap.taken_at as snapshot_taken_at, snap.row_estimate::float8 as snapshot_rows, snap.total_bytes::float8 as snapshot_bytes
    from sizes c
    left join pg_catalog.pg_stat_all_tables s on s.relid = c.oid
    ${last}
    order by c.table_bytes + c.index_bytes desc, c.nspname, c.relname`, [PROJECT_SCHEMAS, contended, estimateAll]));

  let schedule = { scheduled: false, schedule: null, last_run: null };
  if (meta.cron) {
    const { rows: jobs } = await client.query(
      `select j.schedule, (select json_build_object('status', d.status, 'started_at', d.start_time, 'message', d.return_message)
         from cron.job_run_details d where d.jobid = j.jobid order by d.start_time desc limit 1) as last_run
       from cron.job j where j.jobname = $1 and j.database = current_database()`,
      [SNAPSHOT_JOB],
    );
    if (jobs.length) schedule = { scheduled: true, schedule: jobs[0].schedule, last_run: jobs[0].last_run };
  }
  const takenAt = rows.map((r) => r.snapshot_taken_at).filter(Boolean).sort((a, b) => b - a)[0] ?? null;
  return {
    snapshots: {
      available: meta.snapshots,
      job: SNAPSHOT_JOB,
      ...schedule,
      last_taken_at: takenAt?.toISOString() ?? null,
    },
    items: rows.map((r) => ({
      schema: r.schema,
      table: r.table,
      size_source: r.exact ? "files" : "estimate (relation locked)",
      row_estimate: r.row_estimate,
      total_bytes: r.total_bytes,
      table_bytes: r.table_bytes,
      index_bytes: r.index_bytes,
      seq_scans: r.seq_scans,
      index_scans: r.index_scans,
      dead_rows: r.dead_rows,
      last_analyzed: r.last_analyzed?.toISOString() ?? null,
      growth: r.snapshot_taken_at
        ? {
            since: r.snapshot_taken_at.toISOString(),
            rows: r.row_estimate - r.snapshot_rows,
            total_bytes: r.total_bytes - r.snapshot_bytes,
          }
        : null,
    })),
  };
}

async function indexesSection(client) {
  const { rows } = await sized(client, (contended, estimateAll) => client.query(`
    select n.nspname as schema, t.relname as table, i.relname as index, am.amname as method,
      coalesce(s.idx_scan, 0)::float8 as scans,
      case when c.contended then i.relpages::float8 * current_setting('block_size')::float8
        else pg_catalog.pg_relation_size(i.oid)::float8 end as size_bytes,
      x.indisunique as is_unique, x.indisprimary as is_primary, x.indisvalid as is_valid,
      x.indkey::int2[] as keys, x.indclass::oid[] as opclasses, x.indoption::int2[] as options,
      x.indcollation::oid[] as collations, x.indnkeyatts as key_count,
      -- Deparsing locks the table too: the raw expression trees stand in for contended ones.
      case when c.contended then x.indexprs::text else pg_catalog.pg_get_expr(x.indexprs, x.indrelid) end as expressions,
      case when c.contended then x.indpred::text else pg_catalog.pg_get_expr(x.indpred, x.indrelid) end as predicate,
      case when c.contended then null else pg_catalog.pg_get_indexdef(i.oid) end as definition
    from pg_catalog.pg_index x
    cross join lateral (select $3::boolean or x.indexrelid = any ($2::oid[]) or x.indrelid = any ($2::oid[]) as contended) as c
    join pg_catalog.pg_class i on i.oid = x.indexrelid
    join pg_catalog.pg_class t on t.oid = x.indrelid
    join pg_catalog.pg_namespace n on n.oid = t.relnamespace
    join pg_catalog.pg_am am on am.oid = i.relam
    left join pg_catalog.pg_stat_all_indexes s on s.indexrelid = x.indexrelid
    where n.nspname = any ($1)
    order by n.nspname, t.relname, i.relname`, [PROJECT_SCHEMAS, contended, estimateAll]));
  const { rows: [stats] } = await client.query(
    "select stats_reset from pg_catalog.pg_stat_database where datname = current_database()");

  const qualified = (r) => `${r.schema}.${r.index}`;
  const signature = (r) => JSON.stringify([r.schema, r.table, r.method, r.keys, r.opclasses, r.options, r.collations, r.expressions, r.predicate]);
  const groups = new Map();
  for (const row of rows) groups.set(signature(row), [...(groups.get(signature(row)) ?? []), row]);
  const duplicates = [...groups.values()].filter((group) => group.length > 1).map((group) => ({
    table: `${group[0].schema}.${group[0].table}`,
    indexes: group.map(qualified),
    definition: group[0].definition?.replace(/ INDEX \S+ ON /, " INDEX ... ON ") ?? null,
  }));
  // A plain b-tree whose key columns lead another b-tree of the same table serves nothing the
  // longer one does not (unless it enforces uniqueness).
  const plain = (r) => r.method === "btree" && !r.expressions && !r.predicate && r.is_valid;
  const redundant = [];
  for (const shorter of rows.filter((r) => plain(r) && !r.is_unique)) {
    const keys = shorter.keys.slice(0, shorter.key_count);
    const cover = rows.find((longer) =>
      longer !== shorter && plain(longer) && longer.schema === shorter.schema && longer.table === shorter.table &&
      longer.key_count > keys.length &&
      keys.every((k, i) => longer.keys[i] === k && longer.opclasses[i] === shorter.opclasses[i] && longer.options[i] === shorter.options[i]));
    if (cover) redundant.push({ index: qualified(shorter), covered_by: qualified(cover) });
  }
  return {
    stats_since: stats?.stats_reset?.toISOString() ?? null,
    items: rows.map((r) => ({
      schema: r.schema,
      table: r.table,
      index: r.index,
      method: r.method,
      scans: r.scans,
      size_bytes: r.size_bytes,
      unique: r.is_unique,
      primary: r.is_primary,
      valid: r.is_valid,
    })),
    // Unique and primary indexes enforce constraints: never "unused".
    unused: rows.filter((r) => r.scans === 0 && !r.is_unique && !r.is_primary).map(qualified),
    invalid: rows.filter((r) => !r.is_valid).map(qualified),
    duplicates,
    redundant,
  };
}

async function statementsSection(client, top) {
  const { rows: extensions } = await client.query(`
    select n.nspname as schema from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
    where e.extname = 'pg_stat_statements'`);
  const ext = extensions[0];
  if (!ext) return { available: false, reason: "pg_stat_statements is not installed in this database", items: [] };
  try {
    const view = `${client.escapeIdentifier(ext.schema)}.pg_stat_statements`;
    const { rows } = await client.query(`
      select s.queryid::text as queryid, s.calls::float8 as calls, s.rows::float8 as rows,
        round(s.total_exec_time::numeric, 2)::float8 as total_ms, round(s.mean_exec_time::numeric, 3)::float8 as mean_ms,
        round(s.max_exec_time::numeric, 2)::float8 as max_ms,
        left(regexp_replace(s.query, '\\s+', ' ', 'g'), 500) as query
      from ${view} s
      where s.dbid = (select d.oid from pg_catalog.pg_database d where d.datname = current_database())
      order by s.mean_exec_time desc
      limit $1`, [top]);
    return { available: true, reason: null, items: rows };
  } catch (error) {
    return { available: false, reason: error.message, items: [] };
  }
}

async function rlsSection(client) {
  const { rows: tables } = await client.query(`
    select n.nspname as schema, c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any ($1) and c.relkind in ('r', 'p')
    order by n.nspname, c.relname`, [EXPOSED_SCHEMAS]);
  // From pg_policy rather than the pg_policies view, whose expressions would lock each table.
  const { rows: policies } = await client.query(`
    select n.nspname as schema, c.relname as table, p.polname as name,
      case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end as command,
      coalesce((select array_agg(r.rolname::text order by r.rolname) from pg_catalog.pg_roles r where r.oid = any (p.polroles)),
               array['public']) as roles,
      p.polpermissive as permissive
    from pg_catalog.pg_policy p
    join pg_catalog.pg_class c on c.oid = p.polrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any ($1)
    order by n.nspname, c.relname, p.polname`, [EXPOSED_SCHEMAS]);
  const items = tables.map((t) => {
    const own = policies.filter((p) => p.schema === t.schema && p.table === t.table);
    const byCommand = Object.fromEntries(COMMANDS.map((command) => [command, own.filter((p) => p.command === command || p.command === "all").map((p) => p.name)]));
    const byRole = {};
    for (const policy of own) {
      for (const role of policy.roles) {
        const commands = policy.command === "all" ? COMMANDS : [policy.command];
        byRole[role] = [...new Set([...(byRole[role] ?? []), ...commands])].sort((a, b) => COMMANDS.indexOf(a) - COMMANDS.indexOf(b));
      }
    }
    return {
      schema: t.schema,
      table: t.table,
      rls_enabled: t.enabled,
      rls_forced: t.forced,
      policies: byCommand,
      restrictive: own.filter((p) => !p.permissive).map((p) => p.name),
      commands_by_role: byRole,
    };
  });
  return {
    schemas: EXPOSED_SCHEMAS,
    tables_without_rls: items.filter((t) => !t.rls_enabled).map((t) => `${t.schema}.${t.table}`),
    tables_without_policies: items.filter((t) => t.rls_enabled && Object.values(t.policies).every((p) => p.length === 0)).map((t) => `${t.schema}.${t.table}`),
    policy_count: policies.length,
    items,
  };
}

function findingsOf(report) {
  const findings = [];
  const add = (level, message) => findings.push({ level, message });
  if (report.migrations.pending.length) add("warning", `${report.migrations.pending.length} migration(s) on disk are not applied`);
  for (const wait of report.locks.waiting) add("warning", `pid ${wait.pid} waits for ${wait.waiting_for ?? "a lock"}, blocked by ${wait.blocked_by.map((b) => `pid ${b.pid}`).join(", ") || "?"}`);
  for (const table of report.rls.tables_without_rls) add("warning", `${table} has no row level security`);
  for (const table of report.rls.tables_without_policies) add("info", `${table} has RLS and no policy: it denies every API caller`);
  for (const group of report.indexes.duplicates) add("warning", `duplicate indexes on ${group.table}: ${group.indexes.join(", ")}`);
  for (const index of report.indexes.invalid) add("warning", `invalid index ${index} (a failed concurrent build?)`);
  if (!report.tables.snapshots.available) add("info", "table size snapshots are not installed (migration 20251001000000)");
  else if (!report.tables.snapshots.scheduled) add("info", `the daily snapshot job ${SNAPSHOT_JOB} is not scheduled in this database`);
  if (report.advisor.available && report.advisor.unexpected > 0) add("warning", `${report.advisor.unexpected} advisor finding(s) beyond unused-index notes`);
  if (!report.statements.available) add("info", `no statement statistics: ${report.statements.reason}`);
  return findings;
}

/** The whole report as a plain object (the `-o json` output). */
export async function collectHealth({ connectionString = dbUrl(), snapshot = false, top = 10, advisor = true } = {}) {
  const started = performance.now();
  const client = new pg.Client({ connectionString, application_name: "contacts-db-health" });
  await client.connect();
  let report;
  let advisorRun = null;
  let advisorSkipped = advisor ? null : "skipped (--no-advisor)";
  try {
    // Catalog queries must never queue behind a migration's lock for long.
    await client.query("set lock_timeout = '200ms'; set statement_timeout = '10s'");
    // The advisor's queries take no lock timeout: while a relation is contended they would queue
    // behind the exclusive lock (for as long as it is held), so they are not run then.
    if (advisor) {
      if ((await contendedRelations(client)).length > 0) {
        advisorSkipped = "skipped: a session holds or waits for an exclusive lock (see the lock waits)";
      } else {
        advisorRun = runAdvisorAsync({ connectionString, timeoutMs: 15000 });
      }
    }
    const { rows: [server] } = await client.query(`
      select current_database() as name, current_setting('server_version') as version,
        pg_catalog.pg_database_size(current_database())::float8 as size_bytes`);
    report = {
      generated_at: new Date().toISOString(),
      database: server,
      migrations: await migrationsSection(client),
      locks: await locksSection(client),
      tables: await tablesSection(client, { snapshot }),
      indexes: await indexesSection(client),
      statements: await statementsSection(client, top),
      rls: await rlsSection(client),
    };
  } finally {
    await client.end();
  }
  if (advisorRun) {
    const result = await advisorRun;
    report.advisor = result.ok
      ? { available: true, ...summarizeFindings(result.diagnostics) }
      : { available: false, reason: result.output, total: null, unexpected: null, by_severity: {}, by_category: {} };
  } else {
    report.advisor = { available: false, reason: advisorSkipped, total: null, unexpected: null, by_severity: {}, by_category: {} };
  }
  report.findings = findingsOf(report);
  report.elapsed_ms = Math.round(performance.now() - started);
  return report;
}

// ---- text output -------------------------------------------------------------------------------

const bytes = (n) => {
  if (n == null) return "";
  const sign = n < 0 ? "-" : "";
  let value = Math.abs(n);
  for (const unit of ["B", "kB", "MB", "GB", "TB"]) {
    if (value < 1024 || unit === "TB") return `${sign}${unit === "B" ? value : value.toFixed(1)} ${unit}`;
    value /= 1024;
  }
  return "";
};
const count = (n) => (n == null ? "" : Number(n).toLocaleString("en-US"));
const signed = (text, n) => (n > 0 ? `+${text}` : text);

function table(headers, rows) {
  const cells = [headers, ...rows.map((row) => row.map((cell) => String(cell ?? "")))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row, r) => {
    const line = row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
    return r === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
  }).join("\n");
}

export function renderText(report) {
  const out = [];
  const section = (title) => out.push("", `== ${title}`);
  out.push(`Database health: ${report.database.name} (PostgreSQL ${report.database.version}, ${bytes(report.database.size_bytes)}), ${report.generated_at}, answered in ${report.elapsed_ms} ms`);

  section("Findings");
  if (report.findings.length === 0) out.push("none");
  for (const f of report.findings) out.push(`${f.level.padEnd(7)} ${f.message}`);

  const m = report.migrations;
  section(`Migrations: ${m.applied.length} applied${m.total_execution_time_ms != null ? ` in ${m.total_execution_time_ms} ms` : ""}, ${m.pending.length} pending`);
  out.push(table(["version", "name", "applied at", "ms"], m.applied.map((x) => [x.version, x.name, x.applied_at ?? "", x.execution_time_ms ?? ""])));
  for (const p of m.pending) out.push(`pending  ${p.version}_${p.name}`);

  section(`Lock waits: ${report.locks.waiting.length}`);
  for (const wait of report.locks.waiting) out.push(describeLockWait(wait));

  const t = report.tables;
  const snap = t.snapshots;
  section(`Tables (growth since the last snapshot${snap.last_taken_at ? `, ${snap.last_taken_at}` : ": none yet"}; ` +
    `daily job ${snap.scheduled ? `scheduled '${snap.schedule}'${snap.last_run ? `, last run ${snap.last_run.status}` : ", not run yet"}` : "not scheduled here"})`);
  out.push(table(["table", "rows (est.)", "total", "table", "indexes", "growth rows", "growth size", "seq scans", "index scans"],
    t.items.map((x) => [`${x.schema}.${x.table}`, count(x.row_estimate), bytes(x.total_bytes), bytes(x.table_bytes), bytes(x.index_bytes),
      x.growth ? signed(count(x.growth.rows), x.growth.rows) : "", x.growth ? signed(bytes(x.growth.total_bytes), x.growth.total_bytes) : "",
      count(x.seq_scans), count(x.index_scans)])));

  const ix = report.indexes;
  section(`Indexes: ${ix.items.length}, ${ix.unused.length} unused since ${ix.stats_since ?? "the statistics began"}, ${ix.duplicates.length} duplicate group(s), ${ix.redundant.length} redundant`);
  out.push(table(["index", "table", "scans", "size", "kind"], ix.items.map((x) => [x.index, `${x.schema}.${x.table}`, count(x.scans), bytes(x.size_bytes),
    [x.primary ? "primary" : x.unique ? "unique" : "", x.method].filter(Boolean).join(" ")])));
  if (ix.unused.length) out.push("", `unused (not unique, never scanned): ${ix.unused.join(", ")}`);
  for (const d of ix.duplicates) out.push(`duplicate: ${d.indexes.join(" = ")} (${d.definition})`);
  for (const r of ix.redundant) out.push(`redundant: ${r.index} is a prefix of ${r.covered_by}`);

  const s = report.statements;
  section(`Slowest statements (pg_stat_statements, by mean time)${s.available ? "" : `: unavailable, ${s.reason}`}`);
  if (s.available) out.push(table(["mean ms", "max ms", "calls", "total ms", "query"], s.items.map((x) => [x.mean_ms, x.max_ms, count(x.calls), x.total_ms, x.query.slice(0, 100)])));

  const r = report.rls;
  section(`Row level security (${r.schemas.join(", ")}): ${r.items.length} tables, ${r.tables_without_rls.length} without RLS, ${r.policy_count} policies`);
  out.push(table(["table", "rls", ...COMMANDS, "roles"], r.items.map((x) => [x.table, x.rls_enabled ? (x.rls_forced ? "forced" : "on") : "OFF",
    ...COMMANDS.map((c) => x.policies[c].length || "-"),
    Object.entries(x.commands_by_role).map(([role, commands]) => `${role}: ${commands.join("/")}`).join("; ")])));

  const a = report.advisor;
  section(`Advisor (splinter)${a.available ? `: ${a.total} finding(s), ${a.unexpected} beyond unused-index notes` : `: unavailable, ${a.reason}`}`);
  if (a.available) {
    out.push(`by severity: ${Object.entries(a.by_severity).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    for (const [category, n] of Object.entries(a.by_category)) out.push(`  ${category}: ${n}`);
  }
  return out.join("\n");
}

async function main() {
  const values = parseOptions(USAGE, {
    output: { type: "string", short: "o", default: "text" },
    database: { type: "string" },
    "db-url": { type: "string" },
    snapshot: { type: "boolean", default: false },
    top: { type: "string", default: "10" },
    "no-advisor": { type: "boolean", default: false },
  });
  if (!["text", "json"].includes(values.output)) throw new StackError(`-o takes text or json\n\n${USAGE}`);
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new StackError(`--top takes a positive integer\n\n${USAGE}`);
  const connectionString = values["db-url"] ?? dbUrl(values.database);
  if (!values["db-url"]) await startCluster();
  const report = await collectHealth({ connectionString, snapshot: values.snapshot, top, advisor: !values["no-advisor"] });
  console.log(values.output === "json" ? JSON.stringify(report, null, 2) : renderText(report));
}

runMain(import.meta.url, main);
