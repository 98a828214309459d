#!/usr/bin/env node
// npm run bench: times search_contacts_for_agent against a naive ILIKE scan on generated data, in
// one run, and prints both with their ratio. See `npm run bench -- --help` and docs/benchmarks.md.
import { describeData, describeSchema, ensureDataset, migrateForward } from "../bench/lib/dataset.mjs";
import { renderSection, sizeLabel, writeSection, DOCS_FILE } from "../bench/lib/docs.mjs";
import { BIG_OWNER_ID } from "../bench/lib/ids.mjs";
import { KINDS } from "../bench/lib/kinds.mjs";
import { describeMachine } from "../bench/lib/machine.mjs";
import { measure } from "../bench/lib/measure.mjs";
import { parseOptions } from "../bench/lib/options.mjs";
import { runGdprBench } from "../bench/lib/gdpr.mjs";
import { runRetentionBench } from "../bench/lib/retention.mjs";
import { runAuditBench } from "../bench/lib/audit.mjs";
import { runMergeBench } from "../bench/lib/merge.mjs";
import { runImportBench } from "../bench/lib/import.mjs";
import { runIntakeBench } from "../bench/lib/intake.mjs";
import { consoleTable, figures } from "../bench/lib/report.mjs";
import { SCENARIOS, samplingOf } from "../bench/lib/scenarios.mjs";
import { connect } from "../bench/lib/session.mjs";
import { StackError, startCluster } from "./lib/postgres.mjs";

const log = (line = "") => console.log(line);

async function drawQueries(client, scenario, perKind) {
  const queries = [];
  for (const kind of scenario.kinds ?? KINDS) {
    for (const query of await kind.draw(client, scenario.visible, perKind)) queries.push({ ...query, kind });
  }
  return queries;
}

/**
 * A paired scenario runs on two databases: each side draws its own queries the same way, and the
 * i-th query of a kind on one side is timed against the i-th of that kind on the other.
 */
async function drawPairedQueries(admin, scenario, perKind, runners, baseline) {
  const other = await connect(baseline.database);
  try {
    const [mine, theirs] = [await drawQueries(admin, scenario, perKind), await drawQueries(other, scenario, perKind)];
    const byKind = (list, kind) => list.filter((query) => query.kind === kind);
    return (scenario.kinds ?? KINDS).flatMap((kind) => {
      const a = byKind(mine, kind);
      const b = byKind(theirs, kind);
      return a.slice(0, b.length).map((query, i) => ({
        ...query, text: `${query.text} / ${b[i].text}`, perRunner: { [runners[0].id]: query, [runners[1].id]: b[i] },
      }));
    });
  } finally {
    await other.end();
  }
}

/** Measures one scenario; with `explain`, also the plans of its slowest kind's first query. */
async function runScenario({ admin, database, scenario, options, explain }) {
  const sampling = samplingOf(scenario, options);
  const runners = scenario.runners(database, { baseline: options.baseline });
  const queries = scenario.paired
    ? await drawPairedQueries(admin, scenario, sampling.perKind, runners, options.baseline)
    : await drawQueries(admin, scenario, sampling.perKind);
  try {
    for (const runner of runners) await runner.open();
    const samples = await measure({
      runners,
      queries,
      iterations: sampling.iterations,
      warmup: sampling.warmup,
      onProgress: (done, total) => process.stderr.isTTY && process.stderr.write(`\r  ${done}/${total} queries measured`),
    });
    if (process.stderr.isTTY) process.stderr.write("\n");
    const rows = figures({ kinds: scenario.kinds ?? KINDS, queries, samples, runners });
    let explained;
    if (explain && scenario.explain !== false) {
      const slowest = rows.slice(0, -1).reduce((a, b) => (b.stats[0].p95 > a.stats[0].p95 ? b : a));
      const query = queries.find((q) => (options.explainKind ? q.kind.id === options.explainKind : q.kind.label === slowest.label));
      if (!query) throw new StackError(`--explain-kind ${options.explainKind}: no such kind (${(scenario.kinds ?? KINDS).map((k) => k.id).join(", ")}).`);
      explained = {
        query: query.text,
        kindLabel: query.kind.label,
        chosen: options.explainKind ? "chosen with --explain-kind" : "the kind with the highest p95 of the project's search",
        project: await runners[0].explain(query.text),
        reference: await runners[1].explain(query.text),
        referenceLabel: runners[1].id === "naive" ? "the naive reference" : runners[1].label,
      };
    }
    return { scenario, sampling, queries, runners, rows, explained };
  } finally {
    for (const runner of runners) await runner.close();
  }
}

function printExplained({ query, project, reference, referenceLabel }) {
  log(`\nEXPLAIN (ANALYZE, BUFFERS), project's search for '${query}':\n${project.top}`);
  log("\nNested statements (auto_explain):");
  for (const plan of project.nested.plans) log(`\n${plan}`);
  log("\nOther nested statements (calls, total time):");
  for (const line of project.nested.counted) log(`  ${line}`);
  log(`\nEXPLAIN (ANALYZE, BUFFERS), ${referenceLabel} for '${query}':\n${reference.top}`);
}

async function main() {
  if (process.argv.includes("--gdpr")) {
    await startCluster();
    return await runGdprBench(process.argv.slice(2));
  }
  if (process.argv.includes("--retention")) {
    await startCluster();
    return await runRetentionBench(process.argv.slice(2));
  }
  if (process.argv.includes("--import")) {
    await startCluster();
    return await runImportBench(process.argv.slice(2), { log });
  }
  if (process.argv.includes("--intake")) return await runIntakeBench(process.argv.slice(2), { log });
  if (process.argv.includes("--merge")) {
    await startCluster();
    return await runMergeBench(process.argv.slice(2), { log });
  }
  if (process.argv[2] === "audit" || process.argv.includes("--audit")) {
    await startCluster();
    return await runAuditBench(process.argv.slice(2), { log });
  }
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return log(options.help);
  const unknown = options.scenarios.filter((name) => !SCENARIOS[name]);
  if (unknown.length) throw new StackError(`Unknown scenario(s): ${unknown.join(", ")}. Known: ${Object.keys(SCENARIOS).join(", ")}.`);

  const startedAt = new Date();
  await startCluster();
  // A data set of this size generated before the latest migrations is migrated forward, not generated again.
  const migrated = options.fresh ? null : migrateForward(options.database, "bench.dataset", (row) =>
    row.contacts === options.contacts && row.owners === options.owners && Number(row.big_owner_share) === options.bigShare &&
    row.specific_grants === options.specificGrants, log);
  const dataset = { ...ensureDataset({ ...options, log }), migrated };
  if (options.scenarios.some((name) => SCENARIOS[name].paired)) {
    const baseline = options.baseline;
    const baseMigrated = migrateForward(baseline.database, "bench.dataset", (row) => row.contacts === baseline.contacts, log);
    baseline.dataset = { ...ensureDataset({ ...options, database: baseline.database, contacts: baseline.contacts, log }), migrated: baseMigrated };
  }
  const admin = await connect(options.database);
  try {
    // The search appends to the access log on every call; start each run from the same state.
    await admin.query("do $$ begin if to_regclass('public.agent_contact_access_log') is not null then truncate public.agent_contact_access_log; end if; end $$");
    const machine = await describeMachine(admin);
    const data = await describeData(admin, BIG_OWNER_ID);
    log(`${machine.cores} cores, ${machine.postgres}, load average ${machine.load}`);

    const results = [];
    for (const name of options.scenarios) {
      const scenario = SCENARIOS[name];
      log(`\n${scenario.title} (${sizeLabel(options.contacts)} contacts)`);
      const result = await runScenario({ admin, database: options.database, scenario, options, explain: options.explain });
      if (scenario.paired) result.baseline = options.baseline;
      log(consoleTable(result.rows, result.runners));
      if (result.explained) printExplained(result.explained);
      results.push(result);
    }

    if (options.writeDocs) {
      const command = `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim();
      const section = renderSection({ options, command, startedAt, machine, schema: describeSchema(), dataset, data, results });
      writeSection(`search-${sizeLabel(options.contacts)}`, section);
      log(`\nWrote the ${sizeLabel(options.contacts)} section of ${DOCS_FILE}.`);
    }
  } finally {
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error instanceof StackError ? error.message : error);
  process.exit(1);
});
