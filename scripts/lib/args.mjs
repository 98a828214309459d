// Command-line options of the stack's scripts: node's parseArgs, strict, with --help printing the
// usage and a mistyped or unknown option reported with it (never a stack trace, never ignored).
import { parseArgs } from "node:util";
import { StackError } from "./errors.mjs";

export function parseOptions(usage, options, args = process.argv.slice(2)) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true });
  } catch (error) {
    throw new StackError(`${error.message}\n\n${usage}`);
  }
  if (parsed.values.help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed.values;
}
