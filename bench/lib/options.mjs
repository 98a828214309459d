// Command-line options of `npm run bench`. Defaults produce the figure in docs/benchmarks.md.
import { parseArgs } from "node:util";

const USAGE = `Usage: npm run bench -- [options]
  --contacts N          contacts in the data set, across all owners (default 100000)
  --owners N            owners besides the big one (default 100)
  --big-share F         share of all contacts held by the big owner (default 0.3)
  --specific-grants N   contacts granted one by one to the second agent (default 5000)
  --scenarios LIST      comma-separated; default owner. Against the naive scan: owner (the big
                        owner's all-contacts agent), specific (an agent token with specific-contact
                        grants). The search against itself: agents (specific grants vs the owner),
                        deep (keyset page 500 vs page 1), gateway (supabase-js through the functions
                        gateway vs the database call), scale (this data set vs the baseline one)
  --per-kind N          queries drawn per kind (default 5)
  --iterations N        timed runs of each query, each way (default 20)
  --warmup N            untimed runs of each query first, each way (default 3)
  --database NAME       scratch database of the local cluster (default contacts_bench); a data set of
                        the same size generated before newer migrations is migrated forward
  --baseline-database NAME   the scale scenario's other data set (default contacts_bench)
  --baseline-contacts N      its size (default 100000)
  --fresh               regenerate the data even if the scratch database holds this size
  --explain             print EXPLAIN (ANALYZE, BUFFERS) of one search each way, per scenario
  --explain-kind KIND   the kind whose first query is explained (default: the project's slowest);
                        name_prefix, typo, organization, email, phone_national, common_name (deep: deep_prefix)
  --write-docs          replace this size's section of docs/benchmarks.md with the results`;

const integer = (name, value, min) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new Error(`--${name} must be an integer >= ${min}\n\n${USAGE}`);
  return number;
};

export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      contacts: { type: "string", default: "100000" },
      owners: { type: "string", default: "100" },
      "big-share": { type: "string", default: "0.3" },
      "specific-grants": { type: "string", default: "5000" },
      scenarios: { type: "string", default: "owner" },
      // No defaults here: a scenario may sample less by default (see SCENARIOS).
      "per-kind": { type: "string" },
      iterations: { type: "string" },
      warmup: { type: "string" },
      database: { type: "string", default: "contacts_bench" },
      "baseline-database": { type: "string", default: "contacts_bench" },
      "baseline-contacts": { type: "string", default: "100000" },
      fresh: { type: "boolean", default: false },
      explain: { type: "boolean", default: false },
      "explain-kind": { type: "string" },
      "write-docs": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return { help: USAGE };
  const bigShare = Number(values["big-share"]);
  if (!(bigShare > 0 && bigShare < 1)) throw new Error(`--big-share must be between 0 and 1\n\n${USAGE}`);
  // The name becomes an identifier in `create database`; keep it to what needs no quoting.
  for (const name of ["database", "baseline-database"]) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(values[name])) throw new Error(`--${name} must be a plain lower-case identifier`);
  }
  return {
    contacts: integer("contacts", values.contacts, 100),
    owners: integer("owners", values.owners, 1),
    bigShare,
    specificGrants: integer("specific-grants", values["specific-grants"], 1),
    scenarios: values.scenarios.split(",").map((name) => name.trim()).filter(Boolean),
    perKind: values["per-kind"] === undefined ? undefined : integer("per-kind", values["per-kind"], 1),
    iterations: values.iterations === undefined ? undefined : integer("iterations", values.iterations, 1),
    warmup: values.warmup === undefined ? undefined : integer("warmup", values.warmup, 0),
    database: values.database,
    baseline: { database: values["baseline-database"], contacts: integer("baseline-contacts", values["baseline-contacts"], 100) },
    fresh: values.fresh,
    explain: values.explain || values["explain-kind"] !== undefined,
    explainKind: values["explain-kind"],
    writeDocs: values["write-docs"],
  };
}
