#!/usr/bin/env node
// npm run lint: the three database lints, each a TAP line so that `npm test` counts them.
//  - Supabase's Security and Performance Advisor (splinter, via `postgrestools dblint`): no warning
//    or error; info-level notes about the data (unused indexes, table bloat) are expected.
//  - squawk: migration lock safety (config in .squawk.toml, file-level ignores carry their reason).
//  - plpgsql_check on every PL/pgSQL function of the project's schemas, as `supabase db lint` runs it.
//  - the generated database types (npm run gen:types) match the migrated schema.
//  - the generated schema docs (npm run docs:schema, docs/schema.md) match the migrated schema.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { MIGRATIONS_DIR, ROOT } from "./lib/config.mjs";
import { isExpectedFinding, runAdvisor } from "./lib/advisor.mjs";
import { psql, StackError, startCluster } from "./lib/postgres.mjs";
import { Tap } from "./lib/tap.mjs";
import { generateTypes, TYPES_FILE } from "./gen-types.mjs";
import { DOCS_FILE, generateSchemaDocs } from "./docs-schema.mjs";

const bin = (name) => path.join(ROOT, "node_modules", ".bin", name);
const PROJECT_SCHEMAS = ["public", "private"];

function splinter(tap) {
  const report = runAdvisor();
  if (!report.ok) {
    tap.ok(false, "splinter advisor lints ran", report.output);
    return;
  }
  const findings = report.diagnostics.filter((d) => !isExpectedFinding(d));
  tap.ok(
    findings.length === 0,
    `splinter: no security or performance advisor findings (${report.diagnostics.length} info-level notes on the data: unused indexes, table bloat)`,
    findings.map((d) => `${d.severity} ${d.category}: ${d.message}`).join("\n"),
  );
}

function squawk(tap) {
  const files = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith(".sql")).map((f) => path.join(MIGRATIONS_DIR, f));
  const result = spawnSync(bin("squawk"), ["--config", path.join(ROOT, ".squawk.toml"), "--reporter", "gcc", ...files], {
    encoding: "utf8",
    cwd: ROOT,
  });
  tap.ok(result.status === 0, `squawk: ${files.length} migrations are lock-safe`, result.stdout + result.stderr);
}

function plpgsqlCheck(tap) {
  const schemas = PROJECT_SCHEMAS.map((s) => `'${s}'`).join(", ");
  // Trigger functions are checked against a table they are attached to, with the transition
  // tables of that trigger (the one declaring the most of them) for statement triggers.
  const query = `
    select format('%s line %s: %s', p.oid::regprocedure, c.lineno, c.message)
    from pg_proc p
    join pg_language l on l.oid = p.prolang and l.lanname = 'plpgsql'
    join pg_namespace n on n.oid = p.pronamespace and n.nspname in (${schemas})
    left join lateral (
      select t.tgrelid, t.tgnewtable, t.tgoldtable from pg_trigger t where t.tgfoid = p.oid
      order by (t.tgnewtable is not null)::int + (t.tgoldtable is not null)::int desc, t.oid limit 1) trg on true
    cross join lateral plpgsql_check_function_tb(p.oid, coalesce(trg.tgrelid, 0),
      newtable => trg.tgnewtable, oldtable => trg.tgoldtable) c
    where c.level in ('error', 'warning')`;
  const output = psql(["-A", "-t", "-c", "create extension if not exists plpgsql_check", "-c", query, "-c",
    "drop extension plpgsql_check"]).trim();
  const count = psql(["-A", "-t", "-c", `select count(*) from pg_proc p join pg_language l on l.oid = p.prolang and l.lanname = 'plpgsql' join pg_namespace n on n.oid = p.pronamespace and n.nspname in (${schemas})`]).trim();
  tap.ok(output === "", `plpgsql_check: ${count} PL/pgSQL functions have no errors or warnings`, output);
}

function typesUpToDate(tap) {
  const current = fs.existsSync(TYPES_FILE) ? fs.readFileSync(TYPES_FILE, "utf8") : "";
  tap.ok(current === generateTypes(), `${path.relative(ROOT, TYPES_FILE)} matches the migrated schema`, "run npm run gen:types");
}

async function schemaDocsUpToDate(tap) {
  const current = fs.existsSync(DOCS_FILE) ? fs.readFileSync(DOCS_FILE, "utf8") : "";
  tap.ok(current === (await generateSchemaDocs()), `${path.relative(ROOT, DOCS_FILE)} matches the migrated schema`, "run npm run docs:schema");
}

async function main() {
  await startCluster();
  const tap = new Tap();
  splinter(tap);
  squawk(tap);
  plpgsqlCheck(tap);
  typesUpToDate(tap);
  await schemaDocsUpToDate(tap);
  process.exit(tap.done() ? 0 : 1);
}

main().catch((error) => {
  console.error(error instanceof StackError ? error.message : error);
  process.exit(1);
});
