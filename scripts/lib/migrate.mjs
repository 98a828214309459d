// The migration runner of the local stack. It records applied versions where the supabase CLI does
// (supabase_migrations.schema_migrations) so that either tool can take over a database.
import fs from "node:fs";
import path from "node:path";
import { COMPAT_FILE, MIGRATIONS_DIR, ROLLBACKS_DIR, SEED_FILE } from "./config.mjs";
import { psql, queryValue, StackError } from "./postgres.mjs";

export const LOCK_TIMEOUT = process.env.MIGRATION_LOCK_TIMEOUT ?? "5s";
export const STATEMENT_TIMEOUT = process.env.MIGRATION_STATEMENT_TIMEOUT ?? "10min";

const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/;

/** The migrations on disk, in version order: { version, name, file, rollback }. */
export function listMigrations() {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .map((file) => {
      const match = MIGRATION_FILE.exec(file);
      if (!match) throw new StackError(`${file}: migration files are named <YYYYMMDDHHMMSS>_<concern>.sql`);
      const [, version, name] = match;
      return {
        version,
        name,
        file: path.join(MIGRATIONS_DIR, file),
        rollback: path.join(ROLLBACKS_DIR, `${version}_${name}.down.sql`),
      };
    });
}

const HISTORY_TABLE = `
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text not null primary key,
  statements text[],
  name text
);
alter table supabase_migrations.schema_migrations
  add column if not exists applied_at timestamptz default now(),
  add column if not exists execution_time_ms numeric;
`;

/** Gives plain PostgreSQL the roles, schemas and auth functions of the Supabase image. */
export function applyCompat(database) {
  const hasAuth = queryValue("select to_regclass('auth.users') is not null", { database });
  if (hasAuth === "t") return false;
  psql(["-1", "-f", COMPAT_FILE], { database });
  return true;
}

export function appliedVersions(database) {
  psql(["-c", HISTORY_TABLE], { database });
  const rows = queryValue("select coalesce(string_agg(version, ','), '') from supabase_migrations.schema_migrations", { database });
  return new Set(rows ? rows.split(",") : []);
}

/**
 * Applies one SQL file in one transaction with the runner's timeouts. psql names the file and the
 * line of the failing statement; the transaction leaves the database as it was.
 */
export function runFile(file, { database, after = [] } = {}) {
  return psql(
    [
      "-1",
      "-c", `set lock_timeout = '${LOCK_TIMEOUT}'; set statement_timeout = '${STATEMENT_TIMEOUT}';`,
      "-f", file,
      ...after.flatMap((sql) => ["-c", sql]),
    ],
    { database },
  );
}

const quote = (text) => `'${text.replaceAll("'", "''")}'`;

/** Applies every migration not yet recorded, in order; stops at the first failure. */
export function migrate({ database, log = () => {}, upTo } = {}) {
  const done = appliedVersions(database);
  const applied = [];
  for (const migration of listMigrations()) {
    if (upTo && migration.version > upTo) break;
    if (done.has(migration.version)) continue;
    const record =
      "insert into supabase_migrations.schema_migrations (version, name, statements, applied_at, execution_time_ms) " +
      `values (${quote(migration.version)}, ${quote(migration.name)}, array[${quote(fs.readFileSync(migration.file, "utf8"))}], now(), ` +
      "round(extract(epoch from clock_timestamp() - now()) * 1000, 1))";
    try {
      runFile(migration.file, { database, after: [record] });
    } catch (error) {
      throw new StackError(`Migration ${path.basename(migration.file)} failed; nothing of it was applied.\n${error.message}`);
    }
    log(`Applied migration ${migration.version}_${migration.name}`);
    applied.push(migration);
  }
  return applied;
}

/** Rolls one migration back with its .down.sql and forgets its version. */
export function rollback(migration, { database } = {}) {
  runFile(migration.rollback, {
    database,
    after: [`delete from supabase_migrations.schema_migrations where version = ${quote(migration.version)}`],
  });
}

export function seed({ database } = {}) {
  if (!fs.existsSync(SEED_FILE)) return false;
  try {
    runFile(SEED_FILE, { database });
  } catch (error) {
    throw new StackError(`Seeding failed; no demo data was written.\n${error.message}`);
  }
  return true;
}
