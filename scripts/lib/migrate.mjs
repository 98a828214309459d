// The migration runner of the local stack. It records applied versions where the supabase CLI does
// (supabase_migrations.schema_migrations) so that either tool can take over a database.
// A migration that hits its lock_timeout is reported with the session that blocked it (pid, state,
// query: seen by a second psql session watching while the migration waited) and retried a bounded
// number of times with a doubling backoff; then the runner gives up cleanly, nothing of it applied.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { COMPAT_FILE, dbUrl, STORAGE_COMPAT_FILE, MIGRATIONS_DIR, ROLLBACKS_DIR, SEED_FILE } from "./config.mjs";
import { describeLockWait, LOCK_WAITS_SQL } from "./locks.mjs";
import { psql, queryValue, StackError } from "./postgres.mjs";

export const LOCK_TIMEOUT = process.env.MIGRATION_LOCK_TIMEOUT ?? "5s";
export const STATEMENT_TIMEOUT = process.env.MIGRATION_STATEMENT_TIMEOUT ?? "10min";
// Retries after a lock timeout, and the first pause (doubled after each attempt).
export const LOCK_RETRIES = Number(process.env.MIGRATION_LOCK_RETRIES ?? 3);
export const LOCK_BACKOFF_MS = Number(process.env.MIGRATION_LOCK_BACKOFF_MS ?? 2000);
// The application_name of the runner's sessions, which the lock watcher looks for.
export const APPLICATION_PREFIX = "contacts-migrate ";

const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/;

/** The migrations on disk, in version order: { version, name, file, rollback }. */
export function listMigrations(dir = MIGRATIONS_DIR, rollbacksDir = ROLLBACKS_DIR) {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .map((file) => {
      const match = MIGRATION_FILE.exec(file);
      if (!match) throw new StackError(`${file}: migration files are named <YYYYMMDDHHMMSS>_<concern>.sql`);
      const [, version, name] = match;
      return {
        version,
        name,
        file: path.join(dir, file),
        rollback: path.join(rollbacksDir, `${version}_${name}.down.sql`),
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

/**
 * Gives plain PostgreSQL the roles, schemas, auth functions and Storage tables of the Supabase
 * image; true when it was a database without them. The Storage tables came later, so a local
 * database made before them gets them now.
 */
export function applyCompat(database) {
  const hasAuth = queryValue("select to_regclass('auth.users') is not null", { database }) === "t";
  if (!hasAuth) psql(["-1", "-f", COMPAT_FILE], { database });
  if (queryValue("select to_regclass('storage.objects') is null", { database }) === "t") {
    psql(["-1", "-f", STORAGE_COMPAT_FILE], { database });
  }
  return !hasAuth;
}

export function appliedVersions(database) {
  psql(["-c", HISTORY_TABLE], { database });
  const rows = queryValue("select coalesce(string_agg(version, ','), '') from supabase_migrations.schema_migrations", { database });
  return new Set(rows ? rows.split(",") : []);
}

const quote = (text) => `'${text.replaceAll("'", "''")}'`;

/** Versions the database records as applied that `migrations` does not have, as `<version>_<name>`. */
export function unknownMigrations(database, migrations = listMigrations(), done = appliedVersions(database)) {
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...done].filter((version) => !known.has(version));
  if (unknown.length === 0) return [];
  const names = queryValue(
    "select string_agg(version || '_' || coalesce(name, ''), ',' order by version) from supabase_migrations.schema_migrations " +
      `where version in (${unknown.map(quote).join(", ")})`,
    { database },
  );
  return names.split(",");
}

/**
 * Applies one SQL file in one transaction with the runner's timeouts. psql names the file and the
 * line of the failing statement; the transaction leaves the database as it was.
 */
export function runFile(file, { database, after = [], applicationName } = {}) {
  const name = applicationName ? ` set application_name = ${quote(applicationName)};` : "";
  return psql(
    [
      "-1",
      "-c", `set lock_timeout = '${LOCK_TIMEOUT}'; set statement_timeout = '${STATEMENT_TIMEOUT}';${name}`,
      "-f", file,
      ...after.flatMap((sql) => ["-c", sql]),
    ],
    { database },
  );
}

const isLockTimeout = (error) => /canceling statement due to lock timeout/.test(error.message);

/** Blocks the runner for `ms` milliseconds (it is synchronous throughout, as psql is). */
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * The lock watcher: while the runner is blocked in psql, a second psql polls (\watch, every 100 ms)
 * for the runner's sessions waiting on a lock and appends each wait, with its blockers, as a JSON
 * line to a file. Started once per migrate() call that has something to apply; psql starts in
 * milliseconds, so it is watching before the first migration can time out.
 */
class LockWatcher {
  constructor(database) {
    const base = path.join(os.tmpdir(), `contacts-lock-watch-${process.pid}-${Date.now()}`);
    this.script = `${base}.sql`;
    this.file = `${base}.jsonl`;
    fs.writeFileSync(this.script, `\\qecho ready\n${LOCK_WAITS_SQL.replaceAll("$1::text", quote(APPLICATION_PREFIX)).trim()} \\watch 0.1\n`);
    this.child = spawn("psql", ["-X", "-A", "-t", "-q", "-d", dbUrl(database), "-o", this.file, "-f", this.script], {
      env: { ...process.env, PGAPPNAME: "contacts-migrate lock watcher" },
      stdio: "ignore",
    });
    this.child.on("error", () => {});
    for (let waited = 0; waited < 5000 && !this.#read().startsWith("ready"); waited += 20) sleep(20);
  }

  #read() {
    try {
      return fs.readFileSync(this.file, "utf8");
    } catch {
      return "";
    }
  }

  /** The last wait seen for a session, or null. */
  observed(applicationName) {
    const waits = [];
    for (const line of this.#read().split("\n")) {
      try {
        if (line.startsWith("{")) waits.push(JSON.parse(line));
      } catch {
        // the line psql is still writing
      }
    }
    return waits.filter((wait) => wait.application_name === applicationName).at(-1) ?? null;
  }

  stop() {
    this.child.kill();
    fs.rmSync(this.script, { force: true });
    fs.rmSync(this.file, { force: true });
  }
}

/**
 * Applies every migration not yet recorded, in order; stops at the first failure. A lock timeout
 * is reported (the blocking session's pid, state and query) and retried `lockRetries` times after
 * `lockBackoffMs`, doubling; `migrations` defaults to the project's.
 */
export function migrate({
  database,
  log = () => {},
  upTo,
  migrations = listMigrations(),
  lockRetries = LOCK_RETRIES,
  lockBackoffMs = LOCK_BACKOFF_MS,
} = {}) {
  // A version the folder does not have (another branch, an older checkout) did something unknown
  // to the schema, so what follows it could fail half-way or build on the wrong tables. The
  // supabase CLI refuses such a history too.
  const done = appliedVersions(database);
  const unknown = unknownMigrations(database, migrations, done);
  if (unknown.length) {
    throw new StackError(
      `The database has applied migrations that are not in the migrations folder: ${unknown.join(", ")}.\n` +
        "They come from another branch or an older checkout; nothing was applied. " +
        "npm run db:reset rebuilds the local database from the migrations folder (its data is lost).",
    );
  }
  const pending = migrations.filter((m) => !done.has(m.version) && !(upTo && m.version > upTo));
  if (pending.length === 0) return [];
  const watcher = new LockWatcher(database);
  const applied = [];
  try {
    for (const migration of pending) {
      const label = path.basename(migration.file);
      const applicationName = `${APPLICATION_PREFIX}${migration.version}`;
      const record =
        "insert into supabase_migrations.schema_migrations (version, name, statements, applied_at, execution_time_ms) " +
        `values (${quote(migration.version)}, ${quote(migration.name)}, array[${quote(fs.readFileSync(migration.file, "utf8"))}], now(), ` +
        "round(extract(epoch from clock_timestamp() - now()) * 1000, 1))";
      for (let attempt = 1, backoff = lockBackoffMs; ; attempt += 1, backoff *= 2) {
        try {
          runFile(migration.file, { database, after: [record], applicationName });
          break;
        } catch (error) {
          if (!isLockTimeout(error)) {
            throw new StackError(`Migration ${label} failed; nothing of it was applied.\n${error.message}`);
          }
          const wait = watcher.observed(applicationName);
          const report = wait
            ? describeLockWait(wait)
            : "The blocking session could not be identified (it let go before the lock watcher saw the wait).";
          if (attempt > lockRetries) {
            throw new StackError(
              `Migration ${label} gave up after ${attempt} attempts, each stopped by its lock_timeout; nothing of it was applied.\n${report}`,
            );
          }
          log(`Migration ${label} hit its lock_timeout (attempt ${attempt} of ${lockRetries + 1}):\n${report}\nRetrying in ${backoff} ms.`);
          sleep(backoff);
        }
      }
      log(`Applied migration ${migration.version}_${migration.name}`);
      applied.push(migration);
    }
  } finally {
    watcher.stop();
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
