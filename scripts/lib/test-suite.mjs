// The parts of npm test (scripts/test.mjs), each a TAP producer whose results are counted: the
// lints (on the migrated, seeded database), the pgTAP suite, the migration reversibility checks,
// the operations checks and the Deno tests.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DB_HOST, DB_NAME, DB_PASSWORD, DB_PORT, DB_USER, ROOT } from "./config.mjs";
import { StackError } from "./errors.mjs";
import { countTap } from "./tap.mjs";

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
    const { runFunctionTests } = await import("./function-tests.mjs");
    return runFunctionTests(runTap);
  },
};

export const PART_NAMES = Object.keys(PARTS);

/** Runs every part, or only `only`; resolves with the totals. */
export async function runSuite({ only = null } = {}) {
  const totals = { passed: 0, failed: 0 };
  for (const [name, run] of Object.entries(PARTS)) {
    if (only && name !== only) continue;
    // A part that cannot run (its stack did not start) is one failure; the other parts still run
    // and count.
    const { passed, failed } = await run().catch((error) => {
      console.error(`${name}: ${error instanceof StackError ? error.message : error?.stack ?? error}`);
      return { passed: 0, failed: 1 };
    });
    totals.passed += passed;
    totals.failed += failed;
  }
  return totals;
}
