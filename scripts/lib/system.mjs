// System packages the local stack and the tests need. As root they are installed with apt-get
// (one `apt-get update`, then `apt-get install -y`); otherwise the exact command is printed.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PG_BIN, PG_MAJOR } from "./config.mjs";
import { StackError } from "./errors.mjs";

const extensionDir = `/usr/share/postgresql/${PG_MAJOR}/extension`;
const onPath = (command) => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;

/** What the local stack itself runs on (npm start): the server, its client, pg_cron and pgTAP (the Supabase image has both). */
export const STACK_PACKAGES = [
  {
    name: `postgresql-${PG_MAJOR}`,
    present: () => ["initdb", "pg_ctl", "postgres"].every((binary) => fs.existsSync(path.join(PG_BIN, binary))),
  },
  { name: `postgresql-client-${PG_MAJOR}`, present: () => onPath("psql") },
  { name: `postgresql-${PG_MAJOR}-cron`, present: () => fs.existsSync(path.join(extensionDir, "pg_cron.control")) },
  { name: `postgresql-${PG_MAJOR}-pgtap`, present: () => fs.existsSync(path.join(extensionDir, "pgtap.control")) },
];

/** What npm test needs besides: pg_prove and plpgsql_check. */
export const REQUIRED_PACKAGES = [
  ...STACK_PACKAGES,
  {
    name: `postgresql-${PG_MAJOR}-plpgsql-check`,
    present: () => fs.existsSync(path.join(extensionDir, "plpgsql_check.control")),
  },
  { name: "libtap-parser-sourcehandler-pgtap-perl", present: () => onPath("pg_prove") },
];

export function ensureSystemPackages({ log = console.log, packages = REQUIRED_PACKAGES } = {}) {
  const missing = packages.filter((pkg) => !pkg.present()).map((pkg) => pkg.name);
  if (missing.length === 0) return [];
  const command = `apt-get update && apt-get install -y ${missing.join(" ")}`;
  if (process.getuid?.() !== 0 || !onPath("apt-get")) {
    throw new StackError(`Missing system packages: ${missing.join(", ")}.\nInstall them as root with:\n  ${command}`);
  }
  log(`Installing system packages: ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-q"], ["install", "-y", "-q", "--no-install-recommends", ...missing]]) {
    const result = spawnSync("apt-get", args, { stdio: ["ignore", "inherit", "inherit"], env });
    if (result.status !== 0) throw new StackError(`apt-get ${args[0]} failed; install by hand with:\n  ${command}`);
  }
  return missing;
}
