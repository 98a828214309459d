// npm run bench -- --intake: the upload pass of import-contacts (what POST does to a body before
// the job exists: SHA-256, size, encoding check, record count with the worker's scanner) against
// `sha256sum` of the same file, side by side in one run. Hosted, this pass runs within one
// invocation and its 2 s of CPU; the files are the import benchmark's 1,048,576-row file and the
// largest the limits allow: as many rows, padded with a notes column to just under 512 MiB.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";
import { ROOT } from "../../scripts/lib/config.mjs";
import { DENO_CONFIG, denoEnv, denoPath } from "../../scripts/lib/deno.mjs";
import { DOCS_FILE, writeSection } from "./docs.mjs";
import { generate } from "./import.mjs";

const ROWS = 1_048_576;
const MAX_BYTES = 512 * 2 ** 20;
const RUNS = 3;
const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const USAGE = `Usage: npm run bench -- --intake [--write-docs]
  --write-docs      replace the intake section of docs/benchmarks.md`;

/** The import benchmark's file with a notes column that brings it to just under `MAX_BYTES`. */
async function padded(base) {
  const file = base.replace(/\.csv$/, "-512mib.csv");
  if (fs.existsSync(file)) return file;
  const width = Math.floor((MAX_BYTES - fs.statSync(base).size - ",notes".length) / ROWS) - 1;
  const note = "lorem ipsum dolor sit amet ".repeat(Math.ceil(width / 27)).slice(0, width);
  const out = fs.createWriteStream(`${file}.partial`);
  let header = true;
  for await (const line of readline.createInterface({ input: fs.createReadStream(base) })) {
    const next = header ? `${line},notes\n` : `${line},${note}\n`;
    header = false;
    if (!out.write(next)) await new Promise((resolve) => out.once("drain", resolve));
  }
  await new Promise((resolve) => out.end(resolve));
  fs.renameSync(`${file}.partial`, file);
  return file;
}

function intakePass(file) {
  const run = spawnSync(denoPath(), [
    "run", `--config=${DENO_CONFIG}`, "--allow-read", "--allow-env",
    path.join(ROOT, "bench", "intake.ts"), file,
  ], { encoding: "utf8", env: denoEnv(), maxBuffer: 2 ** 20 });
  if (run.status !== 0) throw new Error(`the intake pass failed on ${file}: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop());
}

function sha256sum(file) {
  const started = performance.now();
  const run = spawnSync("sha256sum", [file], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`sha256sum failed on ${file}: ${run.stderr}`);
  return { wallMs: performance.now() - started, sha256: run.stdout.split(" ")[0] };
}

export async function runIntakeBench(argv, { log = console.log } = {}) {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--intake"),
    options: { "write-docs": { type: "boolean", default: false }, help: { type: "boolean", default: false } },
  });
  if (values.help) return log(USAGE);
  const startedAt = new Date();
  const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model?.trim() ?? "unknown CPU"}; load average at start ${os.loadavg().map((v) => v.toFixed(2)).join(" ")}`;
  log(machine);
  const base = await generate(ROWS);
  const results = [];
  for (const file of [base, await padded(base)]) {
    const passes = [];
    const sums = [];
    for (let i = 0; i < RUNS; i++) {
      passes.push(intakePass(file));
      sums.push(sha256sum(file));
    }
    if (passes.some((p) => p.sha256 !== sums[0].sha256 || p.rows !== ROWS)) {
      throw new Error(`the intake pass disagrees with sha256sum or the row count on ${file}`);
    }
    const result = {
      bytes: passes[0].bytes,
      cpuMs: median(passes.map((p) => p.cpuMs)),
      wallMs: median(passes.map((p) => p.wallMs)),
      sumMs: median(sums.map((s) => s.wallMs)),
    };
    results.push(result);
    log(`${mb(result.bytes)} MB, ${ROWS.toLocaleString("en-US")} rows: intake ${result.cpuMs.toFixed(0)} ms CPU ` +
      `(${result.wallMs.toFixed(0)} ms wall), sha256sum ${result.sumMs.toFixed(0)} ms, ratio ${(result.cpuMs / result.sumMs).toFixed(2)}x`);
  }
  if (values["write-docs"]) {
    writeSection("intake", render({ command: `npm run bench -- ${argv.join(" ")}`.trim(), startedAt, machine, results }));
    log(`\nWrote the intake section of ${DOCS_FILE}.`);
  }
}

function render({ command, startedAt, machine, results }) {
  const rows = results.map((r) =>
    `| ${mb(r.bytes)} | ${ROWS.toLocaleString("en-US")} | ${r.cpuMs.toFixed(0)} ms (${r.wallMs.toFixed(0)} ms wall) | ` +
    `${r.sumMs.toFixed(0)} ms | ${(r.cpuMs / r.sumMs).toFixed(2)}x | ${(100 * r.cpuMs / 2000).toFixed(0)}% |`
  );
  return [
    "## import-contacts: the upload pass vs `sha256sum`",
    "",
    `**Command**: \`${command}\`, run ${startedAt.toISOString().replace(/\.\d+Z$/, "Z")}.`,
    "",
    `**Machine**: ${machine}.`,
    "",
    "**Method**: before a job exists, POST /import-contacts streams the body once: it writes it to Storage, hashes it " +
    "(SHA-256, for idempotency), checks the encoding of the whole file and counts its records with the worker's scanner, " +
    "refusing it at a limit. Hosted, all of it falls in that one invocation's 2 s of CPU. *Upload pass*: `scanFile` " +
    "(supabase/functions/import-contacts/intake.ts) over the file read from disk, without the write to Storage, in a " +
    `fresh Deno process (bench/intake.ts); CPU is the process's user and system time over the pass. *sha256sum*: ` +
    `coreutils hashing the same file, wall time (one thread, so about its CPU time); the ratio divides the one by the other. Median of ${RUNS} runs each. Files: the import benchmark's ` +
    "1,048,576-row file, and the largest the limits allow: as many rows with a notes column, just under 512 MiB.",
    "",
    "| MB | rows | upload pass CPU | sha256sum | ratio | share of 2 s of CPU |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
}
