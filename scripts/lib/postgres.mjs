// The private PostgreSQL 15 cluster of the local stack: created on first start, reused afterwards.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  DB_HOST,
  DB_PASSWORD,
  DB_PORT,
  DB_USER,
  dbUrl,
  LOCAL_DIR,
  PG_BIN,
  PG_MAJOR,
} from "./config.mjs";
import { StackError } from "./errors.mjs";
import { waitForPort } from "./ports.mjs";
import { ensureSystemPackages, STACK_PACKAGES } from "./system.mjs";

export { StackError };

const isRoot = process.getuid?.() === 0;

/** Runs a server binary, as the `postgres` user when we are root (initdb and postgres refuse root). */
function runAsServerUser(binary, args, options = {}) {
  const command = isRoot ? "runuser" : binary;
  const argv = isRoot ? ["-u", "postgres", "--", binary, ...args] : args;
  return spawnSync(command, argv, { encoding: "utf8", ...options });
}

function serverUserCan(flag, dir) {
  if (!isRoot) return true;
  return spawnSync("runuser", ["-u", "postgres", "--", "test", flag, dir]).status === 0;
}

/**
 * The data folder lives under `.local/`. When root checks the project out somewhere the `postgres`
 * user cannot reach (a 0700 home, say), the cluster goes to a folder of its own under /var/tmp,
 * named after the stack's folder so two checkouts, or the development and test stacks, never share one.
 */
export function clusterDir() {
  const preferred = path.join(LOCAL_DIR, "db");
  if (!isRoot) return preferred;
  fs.mkdirSync(preferred, { recursive: true });
  execFileSync("chown", ["postgres:postgres", preferred]);
  if (serverUserCan("-w", preferred)) return preferred;
  const tag = createHash("sha1").update(LOCAL_DIR).digest("hex").slice(0, 10);
  const fallback = path.join("/var/tmp", `supabase-contacts-${tag}`);
  fs.mkdirSync(fallback, { recursive: true, mode: 0o700 });
  execFileSync("chown", ["postgres:postgres", fallback]);
  return fallback;
}

const dataDir = () => path.join(clusterDir(), "data");
const logFile = () => path.join(clusterDir(), "postgres.log");

/** Creates the cluster unless it exists; refuses a data folder made by another major version. */
export function ensureCluster() {
  // npm start on a fresh machine: the server, its client and pg_cron (preloaded) come from Debian.
  ensureSystemPackages({ packages: STACK_PACKAGES });
  const data = dataDir();
  const versionFile = path.join(data, "PG_VERSION");
  if (fs.existsSync(versionFile)) {
    const version = fs.readFileSync(versionFile, "utf8").trim();
    if (version !== PG_MAJOR) {
      throw new StackError(
        `The data folder ${data} was created by PostgreSQL ${version}, this stack runs PostgreSQL ${PG_MAJOR}.\n` +
          `Remove it (npm stop && rm -rf ${data}) to start afresh.`,
      );
    }
    return { created: false, refreshed: writeServerSettings(data) };
  }
  const pwfile = path.join(clusterDir(), "pwfile");
  fs.writeFileSync(pwfile, DB_PASSWORD, { mode: 0o600 });
  if (isRoot) execFileSync("chown", ["postgres:postgres", pwfile]);
  const result = runAsServerUser(path.join(PG_BIN, "initdb"), [
    "-D", data, "-U", DB_USER, "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256",
    "--encoding=UTF8", "--locale=C.UTF-8",
  ]);
  fs.rmSync(pwfile, { force: true });
  if (result.status !== 0) throw new StackError(`initdb failed:\n${result.stderr || result.stdout}`);
  writeServerSettings(data);
  return { created: true };
}

const SETTINGS_FILE = "local_stack.conf";
const INCLUDE_SETTINGS = `include_if_exists = '${SETTINGS_FILE}'`;

/**
 * The stack's server settings live in a file of their own that the cluster's postgresql.conf
 * includes at its end, rewritten at every start: a cluster made by an older checkout gets today's
 * (`wal_writer_delay` came later, and without it a search's commit waits for the WAL of a running
 * import), and lines a developer adds to postgresql.conf are never touched. True when it changed.
 */
function writeServerSettings(data) {
  const conf = path.join(data, "postgresql.conf");
  let changed = false;
  if (!fs.readFileSync(conf, "utf8").includes(INCLUDE_SETTINGS)) {
    fs.appendFileSync(conf, `\n# The local stack's settings, rewritten at every start (scripts/lib/postgres.mjs)\n${INCLUDE_SETTINGS}\n`);
    changed = true;
  }
  const file = path.join(data, SETTINGS_FILE);
  const settings = serverSettings();
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== settings) {
    fs.writeFileSync(file, settings);
    if (isRoot) execFileSync("chown", ["postgres:postgres", file]);
    changed = true;
  }
  return changed;
}

function serverSettings() {
  return [
    "# Local stack settings (scripts/lib/postgres.mjs), included by postgresql.conf",
    `listen_addresses = '${DB_HOST}'`,
    `port = ${DB_PORT}`,
    `unix_socket_directories = '${clusterDir()}'`,
    "shared_preload_libraries = 'pg_cron, pg_stat_statements'",
    "cron.database_name = 'postgres'",
    "max_connections = 100",
    "shared_buffers = '1GB'",
    "work_mem = '16MB'",
    "maintenance_work_mem = '512MB'",
    "max_wal_size = '4GB'",
    // A synchronous commit waits until the WAL before it is on disk, others' WAL included. The WAL
    // writer flushes every 200 ms by default, so while an import writes, an API call's commit (a
    // search's access-log row) flushed up to 200 ms of the import's WAL first: 2-4 ms a commit.
    // Flushed every 10 ms it is 0.6 ms; the writer sleeps when nothing is written.
    "wal_writer_delay = '10ms'",
    "log_min_messages = warning",
    "log_min_error_statement = panic",
    "",
  ].join("\n");
}

export function isRunning() {
  const data = dataDir();
  if (!fs.existsSync(path.join(data, "PG_VERSION"))) return false;
  return runAsServerUser(path.join(PG_BIN, "pg_ctl"), ["status", "-D", data]).status === 0;
}

export async function startCluster() {
  const { refreshed } = ensureCluster();
  if (isRunning()) {
    // Settings read at a reload take effect now; those read at start only (shared_buffers), at the next.
    if (refreshed) {
      const reload = runAsServerUser(path.join(PG_BIN, "pg_ctl"), ["reload", "-D", dataDir()]);
      if (reload.status !== 0) throw new StackError(`pg_ctl reload failed:\n${reload.stderr || reload.stdout}`);
    }
    return { started: false };
  }
  const taken = await waitForPort(DB_PORT, 10_000);
  if (taken) {
    throw new StackError(
      `Port ${DB_PORT} on ${DB_HOST} ${taken}, so the local database cannot start.\n` +
        `Free it, or choose another port with SUPABASE_DB_PORT=<port>.`,
    );
  }
  // pg_cron runs its jobs through libpq: over the socket, where local connections are trusted,
  // rather than TCP, where they need the password it does not have.
  const result = runAsServerUser(path.join(PG_BIN, "pg_ctl"), [
    "start", "-w", "-t", "60", "-D", dataDir(), "-l", logFile(), "-o", `-p ${DB_PORT} -c cron.host=${clusterDir()}`,
  ]);
  if (result.status !== 0) {
    const tail = fs.existsSync(logFile()) ? fs.readFileSync(logFile(), "utf8").split("\n").slice(-15).join("\n") : "";
    throw new StackError(`PostgreSQL did not start:\n${result.stderr || result.stdout}\n${tail}`);
  }
  return { started: true };
}

export function stopCluster() {
  if (!isRunning()) return { stopped: false };
  const result = runAsServerUser(path.join(PG_BIN, "pg_ctl"), ["stop", "-w", "-m", "fast", "-D", dataDir()]);
  if (result.status !== 0) throw new StackError(`pg_ctl stop failed:\n${result.stderr}`);
  return { stopped: true };
}

/** Runs psql against a database of the local cluster; throws with psql's own message on failure. */
export function psql(args, { database, input, quiet = true } = {}) {
  const result = spawnSync(
    "psql",
    ["-X", "-v", "ON_ERROR_STOP=1", ...(quiet ? ["-q"] : []), "-d", dbUrl(database), ...args],
    { encoding: "utf8", input, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, PGOPTIONS: "--client-min-messages=warning" } },
  );
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const error = new StackError((result.stderr || result.stdout).trim());
    error.stdout = result.stdout;
    throw error;
  }
  return result.stdout;
}

/** One value from one query, as text. */
export const queryValue = (sql, options) => psql(["-A", "-t", "-c", sql], options).trim();

export const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "contacts-"));
