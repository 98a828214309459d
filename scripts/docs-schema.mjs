#!/usr/bin/env node
// npm run docs:schema [-- --check] [--database NAME] [--output FILE]
// Writes docs/schema.md from the live catalog of the migrated database: a Mermaid ER diagram,
// every table with its columns, types, comments, constraints, indexes (with the query each
// serves, from `comment on index`), triggers and privileges; the RLS policies per table and
// command; the functions with their security mode and grants; and the migration dependency map
// (which migration creates what, which earlier migrations' objects it uses) with each migration's
// rollback file. Deterministic: no sizes, counts or times, so that `--check` (and `npm run lint`)
// can fail when the file is stale.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { parseOptions } from "./lib/args.mjs";
import { dbUrl, ROLLBACKS_DIR, ROOT } from "./lib/config.mjs";
import { runMain } from "./lib/main.mjs";
import { StackError, startCluster } from "./lib/postgres.mjs";

const USAGE = "Usage: npm run docs:schema [-- --check] [--database NAME] [--output FILE]";

export const DOCS_FILE = path.join(ROOT, "docs", "schema.md");
const SCHEMAS = ["public", "private"];
const ROLES = ["anon", "authenticated", "service_role"];
const COMMANDS = ["SELECT", "INSERT", "UPDATE", "DELETE"];

// ---- catalog ------------------------------------------------------------------------------------

async function readCatalog(client) {
  const q = async (sql, params = [SCHEMAS]) => (await client.query(sql, params)).rows;
  const tables = await q(`
    select c.oid::int8::text as oid, n.nspname as schema, c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as rls_forced,
      obj_description(c.oid, 'pg_class') as comment
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any ($1) and c.relkind in ('r', 'p')
    order by n.nspname <> 'public', n.nspname, c.relname`);
  const columns = await q(`
    select a.attrelid::int8::text as table_oid, a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as type,
      a.attnotnull as not_null, a.attidentity as identity, a.attgenerated as generated,
      pg_catalog.pg_get_expr(d.adbin, d.adrelid) as default_value, col_description(a.attrelid, a.attnum) as comment
    from pg_catalog.pg_attribute a
    join pg_catalog.pg_class c on c.oid = a.attrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = any ($1) and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
    order by a.attrelid, a.attnum`);
  const constraints = await q(`
    select k.conrelid::int8::text as table_oid, k.conname as name, k.contype as type, pg_catalog.pg_get_constraintdef(k.oid) as definition,
      (select format('%I.%I', rn.nspname, rc.relname) from pg_catalog.pg_class rc
       join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace where rc.oid = k.confrelid) as references, k.conkey::int2[] as keys, k.confrelid <> 0 as is_fk,
      (select coalesce(bool_and(a.attnotnull), false) from pg_catalog.pg_attribute a where a.attrelid = k.conrelid and a.attnum = any (k.conkey)) as keys_not_null,
      (select string_agg(a.attname, ', ' order by array_position(k.conkey, a.attnum)) from pg_catalog.pg_attribute a
       where a.attrelid = k.conrelid and a.attnum = any (k.conkey)) as key_columns
    from pg_catalog.pg_constraint k
    join pg_catalog.pg_class c on c.oid = k.conrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any ($1)
    order by k.conrelid, k.contype, k.conname`);
  const indexes = await q(`
    select x.indrelid::int8::text as table_oid, i.relname as name, pg_catalog.pg_get_indexdef(i.oid) as definition,
      x.indisprimary as is_primary, x.indisunique as is_unique, obj_description(i.oid, 'pg_class') as comment
    from pg_catalog.pg_index x
    join pg_catalog.pg_class i on i.oid = x.indexrelid
    join pg_catalog.pg_class c on c.oid = x.indrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any ($1)
    order by x.indrelid, i.relname`);
  const triggers = await q(`
    select t.tgrelid::int8::text as table_oid, t.tgname as name, pg_catalog.pg_get_triggerdef(t.oid) as definition,
      t.tgfoid::regprocedure::text as function, obj_description(t.oid, 'pg_trigger') as comment
    from pg_catalog.pg_trigger t
    join pg_catalog.pg_class c on c.oid = t.tgrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any ($1) and not t.tgisinternal
    order by t.tgrelid, t.tgname`);
  const policies = await q(`
    select p.polrelid::int8::text as table_oid, p.polname as name, p.polcmd as command, p.polpermissive as permissive,
      coalesce((select array_agg(r.rolname::text order by r.rolname) from pg_catalog.pg_roles r where r.oid = any (p.polroles)), array['public']) as roles,
      pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using_expression,
      pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as check_expression,
      obj_description(p.oid, 'pg_policy') as comment
    from pg_catalog.pg_policy p
    join pg_catalog.pg_class c on c.oid = p.polrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any ($1)
    order by p.polrelid, p.polname`);
  const privileges = await q(`
    select c.oid::int8::text as table_oid, r.rolname as role, p.privilege,
      has_table_privilege(r.oid, c.oid, p.privilege) as on_table,
      case when p.privilege <> 'DELETE' then (select array_agg(a.attname::text order by a.attnum) from pg_catalog.pg_attribute a
       where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
         and has_column_privilege(r.oid, c.oid, a.attnum, p.privilege)) end as on_columns
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    cross join pg_catalog.pg_roles r
    cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) as p (privilege)
    where n.nspname = any ($1) and c.relkind in ('r', 'p') and r.rolname = any ($2)
    order by c.oid, r.rolname, p.privilege`, [SCHEMAS, ROLES]);
  const functions = await q(`
    select n.nspname as schema, p.proname as name, pg_catalog.pg_get_function_identity_arguments(p.oid) as arguments,
      pg_catalog.pg_get_function_result(p.oid) as result, l.lanname as language, p.prosecdef as security_definer,
      case p.provolatile when 'i' then 'immutable' when 's' then 'stable' else 'volatile' end as volatility,
      p.proconfig as config, obj_description(p.oid, 'pg_proc') as comment,
      (select array_agg(distinct case when a.grantee = 0 then 'PUBLIC' else pg_catalog.pg_get_userbyid(a.grantee)::text end)
       from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) as a
       where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner) as grantees
    from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    join pg_catalog.pg_language l on l.oid = p.prolang
    where n.nspname = any ($1)
    order by n.nspname <> 'public', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)`);
  const extensions = await q(`
    select e.extname as name, n.nspname as schema from pg_catalog.pg_extension e
    join pg_catalog.pg_namespace n on n.oid = e.extnamespace where e.extname <> 'plpgsql' order by e.extname`, []);
  const hasHistory = (await q("select to_regclass('supabase_migrations.schema_migrations') is not null as present", []))[0].present;
  const migrations = hasHistory
    ? await q("select version, name, array_to_string(statements, E'\\n') as sql from supabase_migrations.schema_migrations order by version", [])
    : [];
  const group = (rows) => {
    const map = new Map();
    for (const row of rows) map.set(row.table_oid, [...(map.get(row.table_oid) ?? []), row]);
    return (oid) => map.get(oid) ?? [];
  };
  return {
    tables: tables.map((t) => ({
      ...t,
      qualified: `${t.schema}.${t.name}`,
      columns: group(columns)(t.oid),
      constraints: group(constraints)(t.oid),
      indexes: group(indexes)(t.oid),
      triggers: group(triggers)(t.oid),
      policies: group(policies)(t.oid),
      privileges: group(privileges)(t.oid),
    })),
    functions,
    extensions,
    migrations,
  };
}

// ---- markdown helpers ---------------------------------------------------------------------------

const cell = (text) => String(text ?? "").replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
const code = (text) => (text == null || text === "" ? "" : `\`${String(text).replace(/\s*\n\s*/g, " ").replace(/`/g, "'")}\``);
const anchor = (text) => text.toLowerCase().replace(/[^a-z0-9_ -]/g, "").replace(/ /g, "-");
const tableRows = (headers, rows) => [
  `| ${headers.join(" | ")} |`,
  `| ${headers.map(() => "---").join(" | ")} |`,
  ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
];
const COMMAND_NAMES = { r: "SELECT", a: "INSERT", w: "UPDATE", d: "DELETE", "*": "ALL" };
const CONSTRAINT_KINDS = { p: "primary key", u: "unique", f: "foreign key", c: "check", x: "exclusion", t: "trigger" };

// ---- sections -----------------------------------------------------------------------------------

function erDiagram(catalog) {
  const entity = (name) => (name.startsWith("public.") ? name.slice(7) : `"${name}"`);
  const lines = ["```mermaid", "erDiagram"];
  const known = new Set(catalog.tables.filter((t) => t.schema === "public").map((t) => t.qualified));
  for (const table of catalog.tables.filter((t) => t.schema === "public")) {
    const keys = new Map();
    for (const k of table.constraints) {
      for (const column of (k.key_columns ?? "").split(", ").filter(Boolean)) {
        if (k.type === "p") keys.set(column, [...(keys.get(column) ?? []), "PK"]);
        if (k.type === "f") keys.set(column, [...(keys.get(column) ?? []), "FK"]);
      }
    }
    lines.push(`  ${entity(table.qualified)} {`);
    for (const column of table.columns.filter((c) => keys.has(c.name))) {
      const type = column.type.replace(/\[\]$/, "_array").replace(/[^A-Za-z0-9_]+/g, "_");
      lines.push(`    ${type} ${column.name} ${[...new Set(keys.get(column.name))].sort().reverse().join(", ")}`);
    }
    lines.push("  }");
  }
  const relations = [];
  for (const table of catalog.tables.filter((t) => t.schema === "public")) {
    for (const k of table.constraints.filter((c) => c.type === "f")) {
      const parent = k.references;
      if (!known.has(parent) && !parent.startsWith("auth.")) continue;
      relations.push(`  ${entity(parent)} ||--o{ ${entity(table.qualified)} : "${k.key_columns}"`.replace("||--o{", k.keys_not_null ? "||--o{" : "|o--o{"));
    }
  }
  lines.push(...[...new Set(relations)].sort(), "```");
  return lines;
}

function privilegeSummary(table) {
  const byRole = new Map();
  const ordered = [...table.privileges].sort((a, b) => COMMANDS.indexOf(a.privilege) - COMMANDS.indexOf(b.privilege));
  for (const p of ordered) {
    if (p.on_table) byRole.set(p.role, [...(byRole.get(p.role) ?? []), p.privilege]);
    else if (p.on_columns?.length) byRole.set(p.role, [...(byRole.get(p.role) ?? []), `${p.privilege} (${p.on_columns.join(", ")})`]);
  }
  return ROLES.map((role) => `${role}: ${byRole.has(role) ? byRole.get(role).join(", ") : "none"}`);
}

function tableSection(table) {
  const out = [`### ${table.qualified}`, ""];
  out.push(table.comment ?? "_No comment._", "");
  out.push(`Row level security: ${table.rls ? (table.rls_forced ? "enabled and forced" : "enabled") : "**disabled**"}. ` +
    `Privileges: ${privilegeSummary(table).join("; ")}.`, "");
  out.push(...tableRows(["column", "type", "null", "default", "comment"], table.columns.map((c) => [
    code(c.name),
    code(c.type),
    c.not_null ? "not null" : "",
    c.identity ? `identity (${c.identity === "a" ? "always" : "by default"})` : c.generated ? `generated: ${code(c.default_value)}` : code(c.default_value),
    c.comment ?? "",
  ])), "");
  if (table.constraints.length) {
    out.push("Constraints:", "");
    const order = Object.keys(CONSTRAINT_KINDS);
    const sorted = [...table.constraints].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type) || a.name.localeCompare(b.name));
    out.push(...tableRows(["name", "kind", "definition"], sorted.map((k) => [code(k.name), CONSTRAINT_KINDS[k.type] ?? k.type, code(k.definition)])), "");
  }
  if (table.indexes.length) {
    out.push("Indexes (and the queries they serve):", "");
    out.push(...tableRows(["index", "definition", "serves"], table.indexes.map((i) => [
      code(i.name), code(i.definition.replace(/^CREATE (UNIQUE )?INDEX \S+ ON \S+ USING (\w+) /, (_, unique, method) => `${unique ?? ""}${method} `)),
      i.comment ?? "",
    ])), "");
  }
  if (table.triggers.length) {
    out.push("Triggers:", "");
    out.push(...tableRows(["trigger", "when", "function", "purpose"], table.triggers.map((t) => {
      const when = /CREATE (?:CONSTRAINT )?TRIGGER \S+ (.*?) ON /.exec(t.definition)?.[1] ?? "";
      const level = /FOR EACH (ROW|STATEMENT)/.exec(t.definition)?.[1]?.toLowerCase() ?? "";
      return [code(t.name), `${when.toLowerCase()} (${level})`, code(t.function), t.comment ?? ""];
    })), "");
  }
  return out;
}

function policySection(catalog) {
  const out = [];
  for (const table of catalog.tables.filter((t) => t.policies.length || t.schema === "public")) {
    out.push(`### ${table.qualified}`, "");
    if (!table.policies.length) {
      out.push(table.rls ? "RLS enabled, no policy: every API role is denied (the service role bypasses RLS)." : "RLS **disabled**.", "");
      continue;
    }
    const byCommand = [...table.policies].sort((a, b) =>
      Object.keys(COMMAND_NAMES).indexOf(a.command) - Object.keys(COMMAND_NAMES).indexOf(b.command) || a.name.localeCompare(b.name));
    out.push(...tableRows(["command", "policy", "roles", "using", "with check", "comment"], byCommand.map((p) => [
      `${COMMAND_NAMES[p.command]}${p.permissive ? "" : " (restrictive)"}`,
      code(p.name),
      p.roles.join(", "),
      code(p.using_expression),
      code(p.check_expression),
      p.comment ?? "",
    ])), "");
    const missing = COMMANDS.filter((c) => !table.policies.some((p) => COMMAND_NAMES[p.command] === c || p.command === "*"));
    if (missing.length) out.push(`No policy for ${missing.join(", ")}: denied to every API role.`, "");
  }
  return out;
}

function functionSection(catalog) {
  const rows = catalog.functions.map((f) => {
    const searchPath = (f.config ?? []).find((c) => c.startsWith("search_path="));
    return [
      code(`${f.schema}.${f.name}(${f.arguments})`),
      code(f.result),
      `${f.language}, ${f.volatility}`,
      f.security_definer ? "**definer**" : "invoker",
      searchPath ? code(searchPath) : "not pinned",
      (f.grantees ?? []).sort().join(", ") || "owner only",
      f.comment ?? "",
    ];
  });
  return tableRows(["function", "returns", "language", "security", "search_path", "execute granted to", "comment"], rows);
}

// Which migration creates what, parsed from the statements the migration history recorded.
const stripComments = (sql) => sql.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/--[^\n]*/g, " ");
const stripBodies = (sql) => sql.replace(/\bas\s+(\$[A-Za-z_]*\$)[\s\S]*?\1/gi, "as ''");
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const EXTENSION_USES = {
  pg_cron: /\bcron\./,
  pgcrypto: /extensions\.(gen_random_bytes|hmac|digest|crypt|gen_salt)\b/,
  pg_trgm: /gin_trgm_ops|extensions\.(similarity|word_similarity)\b|extensions\.<%/,
};

function createdObjects(sql) {
  const text = stripBodies(stripComments(sql));
  const objects = [];
  const push = (kind, name, key, pattern) => objects.push({ kind, name, key: key ?? name, pattern });
  const create = /\bcreate\s+(or\s+replace\s+)?(unique\s+)?(table|view|materialized\s+view|function|procedure|index|schema|extension|type|sequence|policy|trigger)\s+(if\s+not\s+exists\s+)?(concurrently\s+)?("?[\w.]+"?)([^;]*)/gi;
  for (const match of text.matchAll(create)) {
    const kind = match[3].toLowerCase().replace(/\s+/, " ");
    const name = match[6].replaceAll('"', "");
    const rest = match[7];
    const on = /\bon\s+([\w.]+)/i.exec(rest)?.[1];
    if (kind === "index") {
      const schema = on?.includes(".") ? on.split(".")[0] : "public";
      push("index", `${schema}.${name}`, null, new RegExp(`\\b${escape(name)}\\b`));
    } else if (kind === "policy" || kind === "trigger") {
      push(kind, `${name} on ${on}`, null, new RegExp(`\\b${escape(name)}\\b`));
    } else if (kind === "extension") {
      push("extension", name, null, EXTENSION_USES[name] ?? new RegExp(`\\b${escape(name)}\\b`));
    } else if (kind === "schema") {
      push("schema", name, null, new RegExp(`(?<![\\w.])${escape(name)}\\.`));
    } else {
      push(match[1] ? `${kind} (create or replace)` : kind, kind === "function" || kind === "procedure" ? `${name}()` : name, name,
        new RegExp(`(?<![\\w.])${escape(name)}(?![\\w])`));
    }
  }
  for (const match of text.matchAll(/cron\.schedule\(\s*'([^']+)'/gi)) push("cron job", match[1], `cron:${match[1]}`, new RegExp(`'${escape(match[1])}'`));
  return objects;
}

function migrationSection(catalog) {
  const owners = new Map();
  const entries = catalog.migrations.map((m) => {
    const label = `${m.version}_${m.name}`;
    const created = createdObjects(m.sql);
    const body = stripComments(m.sql);
    const uses = new Map();
    for (const [key, owner] of owners) {
      if (owner.label === label || !owner.object.pattern.test(body)) continue;
      uses.set(owner.label, [...(uses.get(owner.label) ?? []), owner.object.name]);
    }
    for (const object of created) if (!owners.has(object.key)) owners.set(object.key, { label, object });
    const rollback = `${label}.down.sql`;
    const hasRollback = fs.existsSync(path.join(ROLLBACKS_DIR, rollback));
    return { label, created, uses, rollback: hasRollback ? `[${rollback}](../supabase/rollbacks/${rollback})` : "**missing**" };
  });
  // Long lists of one kind (every policy of the RLS migration, say) are counted, not listed.
  const kindOf = (name) => (/_policy on /.test(name) ? "policies" : / on /.test(name) ? "triggers" : null);
  const summarize = (names) => {
    const counted = new Map();
    for (const name of names) if (kindOf(name)) counted.set(kindOf(name), (counted.get(kindOf(name)) ?? 0) + 1);
    const listed = names.filter((name) => !kindOf(name) || counted.get(kindOf(name)) <= 3).map(code);
    const summed = [...counted].filter(([, n]) => n > 3).map(([kind, n]) => `${n} ${kind}`);
    return [...listed, ...summed].join(", ");
  };
  const out = [];
  // The graph shows direct dependencies only: an edge implied by a path through others is left out.
  const depends = new Map(entries.map((e) => [e.label, new Set(e.uses.keys())]));
  const reaches = (from, to, seen = new Set()) => {
    for (const next of depends.get(from) ?? []) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        if (reaches(next, to, seen)) return true;
      }
    }
    return false;
  };
  const id = (label) => `m${label.slice(0, 14)}`;
  out.push("```mermaid", "flowchart TD");
  for (const entry of entries) out.push(`  ${id(entry.label)}["${entry.label}"]`);
  for (const entry of entries) {
    for (const dependency of [...depends.get(entry.label)].sort()) {
      const indirect = [...depends.get(entry.label)].some((other) => other !== dependency && reaches(other, dependency));
      if (!indirect) out.push(`  ${id(dependency)} --> ${id(entry.label)}`);
    }
  }
  out.push("```", "");
  out.push(...tableRows(["migration", "creates", "uses objects of", "rollback"], entries.map((e) => [
    code(e.label),
    e.created.map((o) => `${o.kind} ${code(o.name)}`).join("<br>") || "(changes only: comments, grants, data)",
    [...e.uses].map(([label, objects]) => `${code(label)}: ${summarize([...new Set(objects)].sort())}`).join("<br>") || "nothing earlier",
    e.rollback,
  ])), "");
  return out;
}

/** The markdown of docs/schema.md for the database behind `connectionString`. */
export async function generateSchemaDocs({ connectionString = dbUrl() } = {}) {
  const client = new pg.Client({ connectionString, application_name: "contacts-docs-schema" });
  await client.connect();
  let catalog;
  try {
    catalog = await readCatalog(client);
  } finally {
    await client.end();
  }
  const publicTables = catalog.tables.filter((t) => t.schema === "public");
  const otherTables = catalog.tables.filter((t) => t.schema !== "public");
  const out = [
    "# Schema",
    "",
    "<!-- Generated by `npm run docs:schema` from the migrated database (scripts/docs-schema.mjs). Do not edit: change the",
    "     migrations and their `comment on` statements, then regenerate. `npm run lint` fails when this file is stale. -->",
    "",
    `Generated from the live catalog of the migrated database: ${publicTables.length} tables in \`public\` (the API), ` +
      `${otherTables.length} in \`private\` (internals, never exposed), ${catalog.functions.length} functions, ` +
      `${catalog.tables.reduce((n, t) => n + t.policies.length, 0)} RLS policies, ${catalog.migrations.length} migrations.`,
    "",
    "- [Relationships](#relationships)",
    "- [Tables](#tables)",
    "- [Row level security policies](#row-level-security-policies)",
    "- [Functions](#functions)",
    "- [Migrations: dependencies and rollbacks](#migrations-dependencies-and-rollbacks)",
    "",
    `Extensions: ${catalog.extensions.map((e) => `${code(e.name)} (schema ${code(e.schema)})`).join(", ") || "none"}.`,
    "",
    "## Relationships",
    "",
    "Foreign keys between the tables of `public` (and to `auth.users`), keys only. Every child row references its parent by",
    "`(id, user_id)`, so a row can never point at another owner's row; an `|o` end marks a nullable reference.",
    "",
    ...erDiagram(catalog),
    "",
    "## Tables",
    "",
    ...catalog.tables.map((t) => `- [${t.qualified}](#${anchor(t.qualified)})`),
    "",
    ...catalog.tables.flatMap(tableSection),
    "## Row level security policies",
    "",
    "Per table and command. A command without a policy is denied to every API role; `service_role` bypasses RLS and",
    "`anon` holds no privilege on any table.",
    "",
    ...policySection(catalog),
    "## Functions",
    "",
    "Security definer functions run with their owner's rights; they live in `private` only, pin `search_path = ''`",
    "and say in their comment why they need those rights. Execute is revoked from PUBLIC and granted role by role.",
    "",
    ...functionSection(catalog),
    "",
    "## Migrations: dependencies and rollbacks",
    "",
    "Which migration creates what (parsed from the statements the migration history recorded) and whose objects it",
    "uses. An arrow points from a migration to one that uses its objects; edges implied by longer paths are left out.",
    "",
    "Rolling back by hand, newest migration first: `psql \"$DB_URL\" -1 -f supabase/rollbacks/<version>_<name>.down.sql`,",
    "then `delete from supabase_migrations.schema_migrations where version = '<version>'`. Each rollback drops exactly",
    "what its migration created, without `cascade` or `if exists`, so one that would take later objects with it fails.",
    "",
    ...migrationSection(catalog),
  ];
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

async function main() {
  const values = parseOptions(USAGE, {
    check: { type: "boolean", default: false },
    database: { type: "string" },
    output: { type: "string", default: DOCS_FILE },
  });
  await startCluster();
  const docs = await generateSchemaDocs({ connectionString: dbUrl(values.database) });
  const file = path.resolve(values.output);
  const shown = path.relative(ROOT, file);
  if (values.check) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (current !== docs) throw new StackError(`${shown} is stale: run npm run docs:schema`);
    console.log(`${shown} is up to date.`);
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, docs);
  console.log(`Wrote ${shown}.`);
}

runMain(import.meta.url, main);
