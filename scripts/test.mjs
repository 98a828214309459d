#!/usr/bin/env node
// npm test: everything, on a fresh machine too. Installs missing system packages (as root) or
// says which, starts the local stack, resets the database (as `supabase db reset` does), then
// runs the lints (on the migrated, seeded database), the pgTAP suite, the migration
// reversibility checks and the Deno tests, and
// ends with one line: "N passed, N failed".
//   --only db|migrations|operations|lint|functions   run one part
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DB_HOST, DB_NAME, DB_PASSWORD, DB_PORT, DB_USER, ROOT } from "./lib/config.mjs";
import { StackError, startCluster } from "./lib/postgres.mjs";
import { ensureSystemPackages } from "./lib/system.mjs";
import { countTap } from "./lib/tap.mjs";
import { resetDatabase } from "./stack.mjs";

const DATABASE_TESTS = path.join(ROOT, "supabase", "tests", "database");
const FUNCTION_TESTS = path.join(ROOT, "supabase", "tests", "functions");

/** Runs a TAP producer, echoing its output, and counts its results. */
function runTap(label, command, args, options = {}) {
  console.log(`\n# ${label}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const echo = (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    };
    child.stdout.on("data", echo);
    child.stderr.on("data", (chunk) => process.stderr.write(chunk));
    child.on("close", (code) => {
      const counts = countTap(output);
      // A producer that died without reporting a failure still failed.
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      resolve(counts);
    });
  });
}

const sqlTestFiles = () =>
  fs.readdirSync(DATABASE_TESTS).filter((f) => f.endsWith(".test.sql")).sort().map((f) => path.join(DATABASE_TESTS, f));

const PARTS = {
  lint: () => runTap("Lints: splinter, squawk, plpgsql_check", process.execPath, [path.join(ROOT, "scripts", "lint.mjs")]),
  db: () =>
    runTap("pgTAP: supabase/tests/database", "pg_prove", ["--verbose", "--ext", ".sql", ...sqlTestFiles()], {
      env: { PGHOST: DB_HOST, PGPORT: String(DB_PORT), PGUSER: DB_USER, PGPASSWORD: DB_PASSWORD, PGDATABASE: DB_NAME },
    }),
  migrations: () => runTap("Migration reversibility", process.execPath, [path.join(ROOT, "scripts", "test-migrations.mjs")]),
  operations: () =>
    runTap("Operations: db:health, migration lock waits, schema docs", process.execPath, [path.join(ROOT, "scripts", "test-operations.mjs")]),
  functions: async () => {
    if (!fs.existsSync(FUNCTION_TESTS)) return { passed: 0, failed: 0 };
    const { runFunctionTests } = await import("./lib/function-tests.mjs");
    return runFunctionTests(runTap);
  },
};

async function main() {
  const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
  if (only && !PARTS[only]) throw new StackError(`--only takes one of: ${Object.keys(PARTS).join(", ")}`);
  ensureSystemPackages();
  await startCluster();
  resetDatabase({ withSeed: true });

  const totals = { passed: 0, failed: 0 };
  for (const [name, run] of Object.entries(PARTS)) {
    if (only && name !== only) continue;
    const { passed, failed } = await run();
    totals.passed += passed;
    totals.failed += failed;
  }
  console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
  process.exit(totals.failed === 0 && totals.passed > 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error instanceof StackError ? error.message : error);
  console.log("\n0 passed, 1 failed");
  process.exit(1);
});
