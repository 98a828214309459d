// The benchmark's scratch database: created fresh (compat layer + the project's migrations), filled
// by bench/sql/*.sql, analyzed, and reused by later runs while it holds the requested data set.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { COMPAT_FILE, MIGRATIONS_DIR, ROOT } from "../../scripts/lib/config.mjs";
import { applyCompat, listMigrations, migrate } from "../../scripts/lib/migrate.mjs";
import { psql, queryValue } from "../../scripts/lib/postgres.mjs";

const sqlFile = (name) => fileURLToPath(new URL(`../sql/${name}`, import.meta.url));
const GENERATOR = ["helpers.sql", "names.sql", "generate.sql"].map(sqlFile);

/**
 * What the data depends on besides its parameters: the generator and the schema it is loaded into.
 * A change to either (a new migration, a new index) makes the cached data set stale.
 */
export function fingerprint() {
  const hash = createHash("sha256");
  for (const file of [...GENERATOR, COMPAT_FILE, ...listMigrations().map((m) => m.file)]) {
    hash.update(file.slice(file.lastIndexOf("/") + 1)).update("\0").update(fs.readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** The data set recorded in the scratch database, or null when there is none. */
function recordedDataset(database) {
  const exists = queryValue(`select count(*) from pg_database where datname = '${database}'`, { database: "postgres" });
  if (exists !== "1") return null;
  if (queryValue("select to_regclass('bench.dataset') is not null", { database }) !== "t") return null;
  const row = queryValue(
    "select json_build_object('contacts', contacts, 'owners', owners, 'bigShare', big_owner_share, " +
      "'specificGrants', specific_grants, 'fingerprint', fingerprint, 'generationSeconds', generation_seconds) " +
      "from bench.dataset",
    { database },
  );
  return row ? JSON.parse(row) : null;
}

const matches = (recorded, wanted) =>
  recorded &&
  recorded.contacts === wanted.contacts &&
  recorded.owners === wanted.owners &&
  Number(recorded.bigShare) === wanted.bigShare &&
  recorded.specificGrants === wanted.specificGrants &&
  recorded.fingerprint === wanted.fingerprint;

const seconds = (start) => Math.round((performance.now() - start) / 10) / 100;

/** Drops and recreates the scratch database with the project's schema, then generates the data. */
function generate(database, wanted, log) {
  psql(["-c", `drop database if exists ${database} with (force)`], { database: "postgres" });
  psql(["-c", `create database ${database}`], { database: "postgres" });
  applyCompat(database);
  migrate({ database });
  log(`Created ${database}: compatibility layer and ${listMigrations().length} migrations applied.`);

  const start = performance.now();
  psql(
    [
      "-1",
      "-v", `contacts=${wanted.contacts}`,
      "-v", `owners=${wanted.owners}`,
      "-v", `big_share=${wanted.bigShare}`,
      "-v", `specific_grants=${wanted.specificGrants}`,
      ...GENERATOR.flatMap((file) => ["-f", file]),
    ],
    { database },
  );
  const loaded = seconds(start);
  psql(["-c", "vacuum analyze"], { database });
  const generationSeconds = seconds(start);
  psql(
    [
      "-c",
      "insert into bench.dataset (contacts, owners, big_owner_share, specific_grants, fingerprint, generation_seconds) " +
        `values (${wanted.contacts}, ${wanted.owners}, ${wanted.bigShare}, ${wanted.specificGrants}, ` +
        `'${wanted.fingerprint}', ${generationSeconds})`,
    ],
    { database },
  );
  log(`Generated ${wanted.contacts.toLocaleString("en-US")} contacts in ${loaded} s, vacuum analyze in ${Math.round((generationSeconds - loaded) * 100) / 100} s.`);
  return { ...wanted, generationSeconds, reused: false };
}

/**
 * The requested data set in `database`: the recorded one when it matches (size, parameters,
 * generator and schema), otherwise a fresh one.
 */
export function ensureDataset({ database, contacts, owners, bigShare, specificGrants, fresh = false, log = () => {} }) {
  const wanted = { contacts, owners, bigShare, specificGrants, fingerprint: fingerprint() };
  const recorded = fresh ? null : recordedDataset(database);
  if (matches(recorded, wanted)) {
    log(`Reusing ${database}: ${contacts.toLocaleString("en-US")} contacts (generated in ${recorded.generationSeconds} s; --fresh regenerates).`);
    return { ...recorded, generationSeconds: Number(recorded.generationSeconds), reused: true };
  }
  return generate(database, wanted, log);
}

/** Counts that describe the data set, for the report. */
export async function describeData(client, bigOwnerId) {
  const { rows } = await client.query(
    `select
       (select count(*) from public.contacts) as contacts,
       (select count(*) from auth.users) as owners,
       (select count(*) from public.contacts where user_id = $1) as big_owner_contacts,
       (select count(*) from public.contact_communication_channels) as channels,
       (select count(*) from public.contact_communication_channels where channel_type = 'email') as emails,
       (select count(*) from public.contact_communication_channels where channel_type = 'phone') as phones,
       (select count(*) from public.contact_communication_channels where channel_type = 'whatsapp') as whatsapp,
       (select count(distinct first_name) from public.contacts) as first_names,
       (select count(distinct last_name) from public.contacts) as last_names,
       (select count(distinct organization) from public.contacts) as organizations,
       (select count(*) from public.agent_specific_contact_access) as specific_grants,
       top_last.name as top_last_name, top_last.n as top_last_name_count,
       top_first.name as top_first_name, top_first.n as top_first_name_count
     from (select last_name as name, count(*) as n from public.contacts group by 1 order by 2 desc limit 1) top_last,
       (select first_name as name, count(*) as n from public.contacts group by 1 order by 2 desc limit 1) top_first`,
    [bigOwnerId],
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([key, value]) => [key, /^\d+$/.test(value) ? Number(value) : value]));
}

/** Which migrations the figures are about: the commit, whether migrations differ from it, the fingerprint. */
export function describeSchema() {
  const git = (...args) => {
    try {
      return execFileSync("git", ["-C", ROOT, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return null;
    }
  };
  const commit = git("rev-parse", "--short", "HEAD");
  const changed = git("status", "--porcelain", "--", MIGRATIONS_DIR);
  return { commit: commit ?? "unknown", uncommitted: Boolean(changed), fingerprint: fingerprint() };
}
