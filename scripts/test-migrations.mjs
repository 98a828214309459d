#!/usr/bin/env node
// Migration reversibility, in a scratch database of the local cluster:
//  1. for each migration in order: apply it, roll it back, check that the schema equals the one
//     before it (pg_dump --schema-only), apply it again and check the schema equals the first apply;
//  2. with every migration applied and rows in every table, roll the migrations back one by one
//     from the last and check that the rows of the tables still standing survive each rollback,
//     then apply everything again and check once more.
// Prints TAP.
import { spawnSync } from "node:child_process";
import { dbUrl } from "./lib/config.mjs";
import { applyCompat, listMigrations, migrate, rollback } from "./lib/migrate.mjs";
import { psql, queryValue, StackError, startCluster } from "./lib/postgres.mjs";
import { Tap } from "./lib/tap.mjs";

const DATABASE = "contacts_migration_test";

function schemaDump() {
  const result = spawnSync(
    "pg_dump",
    ["--schema-only", "--no-owner", "--exclude-schema=supabase_migrations", "--restrict-key=contacts", dbUrl(DATABASE)],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0) {
    // pg_dump before 15.14 has no --restrict-key; it is only there to keep the output stable.
    const retry = spawnSync("pg_dump", ["--schema-only", "--no-owner", "--exclude-schema=supabase_migrations", dbUrl(DATABASE)], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (retry.status !== 0) throw new StackError(`pg_dump failed: ${retry.stderr}`);
    return retry.stdout;
  }
  return result.stdout;
}

/** The first differing lines of two dumps, for the diagnostics of a failed comparison. */
function firstDifference(expected, actual) {
  const a = expected.split("\n");
  const b = actual.split("\n");
  const at = a.findIndex((line, i) => line !== b[i]);
  const from = Math.max(0, at - 2);
  return [`expected (line ${at + 1}):`, ...a.slice(from, at + 4), "actual:", ...b.slice(from, at + 4)].join("\n");
}

// One row in every table, owned by one user, inserted as the superuser (RLS does not apply).
const FIXTURE = `
insert into auth.users (id, email) values ('10000000-0000-0000-0000-000000000001', 'fixture@example.test');
insert into public.agents (id, user_id, name)
  values ('20000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001', 'Fixture agent');
insert into public.contacts (id, user_id, first_name, last_name)
  values ('30000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001', 'Fix', 'Ture');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier)
  values ('40000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001',
          '30000000-0000-0000-0000-000000000001', 'email', 'fix@example.test');
insert into public.contact_groups (id, user_id, name)
  values ('50000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001', 'Fixtures');
insert into public.contact_group_memberships (group_id, contact_id, user_id)
  values ('50000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type)
  values ('60000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001',
          '20000000-0000-0000-0000-000000000001', 'specific_contacts');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id)
  values ('10000000-0000-0000-0000-000000000001', '60000000-0000-0000-0000-000000000001',
          '20000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000001');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content)
  values ('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000001', 'email', 'outbound', 'Hello');
insert into public.contact_import_jobs (id, user_id, file_name)
  values ('70000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001', 'fixture.csv');
insert into public.contact_import_job_errors (user_id, job_id, row_number, reason)
  values ('10000000-0000-0000-0000-000000000001', '70000000-0000-0000-0000-000000000001', 2, 'fixture');
insert into public.contact_import_changes (user_id, job_id, contact_id, action, contact_updated_at)
  values ('10000000-0000-0000-0000-000000000001', '70000000-0000-0000-0000-000000000001',
          '30000000-0000-0000-0000-000000000001', 'created', now());
insert into public.agent_contact_access_log (user_id, agent_id, caller, query_hmac, result_count)
  values ('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000001', 'owner', repeat('a', 64), 1);
insert into public.contact_retention_policies (user_id, data_class, action, retain_days)
  values ('10000000-0000-0000-0000-000000000001', 'interactions', 'delete', 365);
insert into public.contact_subject_requests (user_id, request_type, contact_ids, actor_role)
  values ('10000000-0000-0000-0000-000000000001', 'export', array['30000000-0000-0000-0000-000000000001']::uuid[], 'service');
insert into public.contact_privacy_settings (user_id, keep_interaction_statistics)
  values ('10000000-0000-0000-0000-000000000001', true);
insert into public.contact_interaction_statistics
    (user_id, period_start, channel_type, interaction_type, direction, delivery_status, interaction_count)
  values ('10000000-0000-0000-0000-000000000001', '2025-01-01', 'email', 'message', 'outbound', 'sent', 3);
insert into public.contact_suppressions (user_id, identifier_type, identifier_hmac)
  values ('10000000-0000-0000-0000-000000000001', 'email', repeat('b', 64));
insert into public.contact_consent_events (user_id, channel_id, status, source)
  values ('10000000-0000-0000-0000-000000000001', '40000000-0000-0000-0000-000000000001', 'granted', 'form');
insert into public.contact_merges (user_id, survivor_id, duplicate_id, row_counts, actor_role)
  values ('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000001',
          '30000000-0000-0000-0000-000000000002', '{}', 'service');
`;

function rowCounts() {
  const sql = `select string_agg(format('%s=%s', c.relname,
      (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from public.%I', c.relname), false, true, '')))[1]::text), ',' order by c.relname)
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r'`;
  const text = queryValue(sql, { database: DATABASE });
  return Object.fromEntries((text ? text.split(",") : []).map((pair) => pair.split("=")));
}

async function main() {
  await startCluster();
  psql(["-c", `drop database if exists ${DATABASE} with (force)`, "-c", `create database ${DATABASE}`], { database: "template1" });
  applyCompat(DATABASE);
  const tap = new Tap();
  const migrations = listMigrations();
  const db = { database: DATABASE };

  for (const migration of migrations) {
    const label = `${migration.version}_${migration.name}`;
    const before = schemaDump();
    migrate({ ...db, upTo: migration.version });
    const afterUp = schemaDump();
    rollback(migration, db);
    const afterDown = schemaDump();
    tap.ok(afterDown === before, `${label}: rolling back restores the schema before it`, firstDifference(before, afterDown));
    migrate({ ...db, upTo: migration.version });
    const again = schemaDump();
    tap.ok(again === afterUp, `${label}: applying it again after its rollback gives the same schema`, firstDifference(afterUp, again));
  }

  psql(["-c", FIXTURE], db);
  const seeded = rowCounts();
  tap.ok(Object.values(seeded).every((n) => Number(n) > 0), "every table holds fixture rows before the rollbacks", JSON.stringify(seeded));
  for (const migration of [...migrations].reverse()) {
    rollback(migration, db);
    const counts = rowCounts();
    const lost = Object.entries(counts).filter(([table, n]) => seeded[table] !== n);
    tap.ok(lost.length === 0, `rows of the tables still standing survive the rollback of ${migration.version}_${migration.name}`,
      lost.map(([table, n]) => `${table}: ${seeded[table]} -> ${n}`).join("\n"));
  }
  tap.ok(Object.keys(rowCounts()).length === 0, "rolling back every migration leaves no project table in public");
  migrate(db);
  tap.ok(queryValue("select count(*) from supabase_migrations.schema_migrations", db) === String(migrations.length),
    "every migration applies again after a full rollback, and each is recorded once");

  psql(["-c", `drop database ${DATABASE} with (force)`], { database: "template1" });
  process.exit(tap.done() ? 0 : 1);
}

main().catch((error) => {
  console.error(error instanceof StackError ? error.message : error);
  console.log("not ok 1 - migration reversibility checks ran");
  process.exit(1);
});
