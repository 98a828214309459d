// Runs a script's main() when node was asked to run that script, not when another one imports
// it. import.meta.url is compared as a path with process.argv[1] resolved: the URL has spaces
// percent-encoded and symlinks resolved, so comparing it with `file://${argv[1]}` misses both.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { StackError } from "./errors.mjs";

function isMainModule(moduleUrl) {
  try {
    return process.argv[1] !== undefined && fileURLToPath(moduleUrl) === fs.realpathSync(process.argv[1]);
  } catch {
    return false;
  }
}

/** Runs `main` if `moduleUrl` is the script node runs; a StackError is reported by its message alone. */
export function runMain(moduleUrl, main) {
  if (!isMainModule(moduleUrl)) return;
  main().catch((error) => {
    console.error(error instanceof StackError ? error.message : error);
    process.exit(1);
  });
}
