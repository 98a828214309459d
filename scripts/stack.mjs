#!/usr/bin/env node
// npm start | stop | status | db:reset | db:migrate: the docker-free local stack, with the
// commands and output of the supabase CLI.
import { parseOptions } from "./lib/args.mjs";
import { API_URL, dbUrl } from "./lib/config.mjs";
import { gatewayRunning, startGateway, stopGateway } from "./lib/gateway.mjs";
import { loadKeys } from "./lib/keys.mjs";
import { runMain } from "./lib/main.mjs";
import { applyCompat, migrate, seed } from "./lib/migrate.mjs";
import { isRunning, psql, queryValue, StackError, startCluster, stopCluster } from "./lib/postgres.mjs";

const log = (line) => console.log(line);

/** Drops and recreates the `postgres` database, then compat, migrations and seed, as `supabase db reset`. */
export function resetDatabase({ withSeed = true } = {}) {
  psql(["-c", "drop database if exists postgres with (force)"], { database: "template1" });
  psql(["-c", "create database postgres"], { database: "template1" });
  return prepareDatabase({ withSeed, fresh: true });
}

function prepareDatabase({ withSeed, fresh }) {
  const compat = applyCompat();
  if (compat) log("Applied the Supabase compatibility layer (roles, auth, extensions, storage tables).");
  const applied = migrate({ log });
  if (withSeed && (fresh || compat)) {
    if (seed()) log("Seeded demo data from supabase/seed.sql.");
  }
  return applied;
}

function isFreshDatabase() {
  return queryValue("select to_regclass('auth.users') is null") === "t";
}

export async function startStack() {
  const { started } = await startCluster();
  log(started ? "Started PostgreSQL 15." : "PostgreSQL is already running; reusing it.");
  prepareDatabase({ withSeed: true, fresh: isFreshDatabase() });
  const keys = await loadKeys();
  const gateway = await startGateway(keys);
  log(gateway.started ? "Started the functions gateway." : "The functions gateway is already running; reusing it.");
}

export function stopStack() {
  const gateway = stopGateway();
  const cluster = stopCluster();
  return gateway.stopped || cluster.stopped;
}

export async function statusEntries() {
  const keys = await loadKeys();
  return [
    ["API_URL", "API URL", API_URL],
    ["FUNCTIONS_URL", "Functions URL", `${API_URL}/functions/v1`],
    ["DB_URL", "DB URL", dbUrl()],
    ["PUBLISHABLE_KEY", "Publishable key", keys.publishableKey],
    ["SECRET_KEY", "Secret key", keys.secretKey],
    ["JWT_SECRET", "JWT secret", keys.jwtSecret],
    ["ANON_KEY", "anon key", keys.anonKey],
    ["SERVICE_ROLE_KEY", "service_role key", keys.serviceRoleKey],
  ];
}

const USAGE = "usage: node scripts/stack.mjs start|stop|status [-o env|json|pretty]|db:reset [--no-seed]|db:migrate";

/** The formats of `supabase status -o` this stack prints; pretty is the table, the CLI's default. */
const STATUS_FORMATS = ["pretty", "env", "json"];

async function printStatus(args) {
  const { output } = parseOptions(USAGE, { output: { type: "string", short: "o", default: "pretty" } }, args);
  if (!STATUS_FORMATS.includes(output)) throw new StackError(`status -o takes ${STATUS_FORMATS.join(", ")}, not ${output}\n\n${USAGE}`);
  const entries = await statusEntries();
  if (output === "env") {
    for (const [name, , value] of entries) log(`${name}="${value}"`);
    return;
  }
  if (output === "json") {
    log(JSON.stringify(Object.fromEntries(entries.map(([name, , value]) => [name, value])), null, 2));
    return;
  }
  const running = isRunning() && gatewayRunning();
  log(running ? "local contacts stack is running.\n" : "local contacts stack is NOT (fully) running: npm start.\n");
  const width = Math.max(...entries.map(([, label]) => label.length));
  for (const [, label, value] of entries) log(`${label.padStart(width)}: ${value}`);
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case "start":
      await startStack();
      log("");
      await printStatus([]);
      break;
    case "stop":
      log(stopStack() ? "Stopped the local stack." : "The local stack was not running.");
      break;
    case "status":
      await printStatus(args);
      break;
    case "db:reset":
      await startCluster();
      resetDatabase({ withSeed: !args.includes("--no-seed") });
      log("Finished db:reset.");
      break;
    case "db:migrate":
      await startCluster();
      applyCompat();
      if (migrate({ log }).length === 0) log("Local database is up to date.");
      break;
    default:
      throw new StackError(USAGE);
  }
}

runMain(import.meta.url, main);
