#!/usr/bin/env node
// npm test: everything, on a fresh machine too. Installs missing system packages (as root) or
// says which, starts a local stack, resets its database (as `supabase db reset` does), runs the
// parts of scripts/lib/test-suite.mjs and ends with one line: "N passed, N failed".
//   --only db|migrations|operations|lint|functions   run one part
//
// The stack is a test stack of its own under .local/test, on ports the system picks, stopped at
// the end: the tests neither wipe the database `npm start` serves nor need 54321/54322, which
// another program's connection may hold (they lie in Linux's range for local ends). With
// SUPABASE_LOCAL_DIR the tests run on that stack instead, on its configured ports, left running.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./lib/ports.mjs";

const ownStack = !process.env.SUPABASE_LOCAL_DIR;

/** Points the stack's configuration (read once, from the environment) at the test stack. */
async function useTestStack() {
  process.env.SUPABASE_LOCAL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".local", "test");
  process.env.SUPABASE_DB_PORT ||= String(await freePort());
  while (!process.env.SUPABASE_API_PORT || process.env.SUPABASE_API_PORT === process.env.SUPABASE_DB_PORT) {
    process.env.SUPABASE_API_PORT = String(await freePort());
  }
}

async function main() {
  if (ownStack) await useTestStack();
  const { StackError, startCluster, stopCluster } = await import("./lib/postgres.mjs");
  const { stopGateway } = await import("./lib/gateway.mjs");
  const { ensureSystemPackages } = await import("./lib/system.mjs");
  const { resetDatabase } = await import("./stack.mjs");
  const { PART_NAMES, runSuite } = await import("./lib/test-suite.mjs");

  const stopTestStack = () => {
    if (!ownStack) return;
    stopGateway();
    stopCluster();
  };
  try {
    const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
    if (only && !PART_NAMES.includes(only)) throw new StackError(`--only takes one of: ${PART_NAMES.join(", ")}`);
    ensureSystemPackages();
    // An interrupted run may have left the test stack running, on the ports it had then.
    stopTestStack();
    await startCluster();
    resetDatabase({ withSeed: true });
    const totals = await runSuite({ only });
    console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
    return totals.failed === 0 && totals.passed > 0 ? 0 : 1;
  } catch (error) {
    console.error(error instanceof StackError ? error.message : error);
    console.log("\n0 passed, 1 failed");
    return 1;
  } finally {
    try {
      stopTestStack();
    } catch (error) {
      console.error(`The test stack did not stop: ${error.message}`);
    }
  }
}

process.exit(await main());
