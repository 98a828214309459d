// Supabase's Security and Performance Advisor (splinter), as `postgrestools dblint` runs it. Shared
// by `npm run lint` (which fails on any finding but the expected ones) and `npm run db:health`
// (which reports counts).
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { dbUrl, ROOT } from "./config.mjs";

const BINARY = path.join(ROOT, "node_modules", ".bin", "postgrestools");
const args = (connectionString) => ["dblint", `--connection-string=${connectionString}`, "--reporter=json"];

// Notes about the data rather than the schema: indexes no query has used yet (every index, on a
// fresh database) and tables with dead rows not yet vacuumed (a database in use).
const DATA_NOTES = new Set(["splinter/performance/unusedIndex", "splinter/performance/tableBloat"]);

/** Info-level notes about the data are expected: every other finding counts. */
export const isExpectedFinding = (diagnostic) => diagnostic.severity === "info" && DATA_NOTES.has(diagnostic.category);

function parse(stdout, stderr) {
  try {
    const report = JSON.parse(stdout);
    return { ok: true, diagnostics: report.diagnostics };
  } catch {
    return { ok: false, diagnostics: [], output: (stderr || stdout || "").trim() };
  }
}

/** Runs the advisor and waits: { ok, diagnostics, output? }. */
export function runAdvisor({ connectionString = dbUrl() } = {}) {
  const result = spawnSync(BINARY, args(connectionString), { encoding: "utf8", cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return parse(result.stdout ?? "", result.stderr ?? "");
}

/**
 * The same, without blocking, so that a caller can run its own queries meanwhile; given up (the
 * child stopped) after `timeoutMs`, say when a lint query queues behind a migration's lock.
 */
export function runAdvisorAsync({ connectionString = dbUrl(), timeoutMs = 0 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(BINARY, args(connectionString), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => {
      timedOut = true;
      child.kill();
    }, timeoutMs) : null;
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", (error) => resolve({ ok: false, diagnostics: [], output: error.message }));
    child.on("close", () => {
      if (timer) clearTimeout(timer);
      resolve(timedOut ? { ok: false, diagnostics: [], output: `no answer within ${timeoutMs} ms` } : parse(stdout, stderr));
    });
  });
}

/** Counts by severity and by category, the shape db:health reports. */
export function summarizeFindings(diagnostics) {
  const bySeverity = { error: 0, warning: 0, info: 0 };
  const byCategory = {};
  for (const diagnostic of diagnostics) {
    bySeverity[diagnostic.severity] = (bySeverity[diagnostic.severity] ?? 0) + 1;
    byCategory[diagnostic.category] = (byCategory[diagnostic.category] ?? 0) + 1;
  }
  return {
    total: diagnostics.length,
    unexpected: diagnostics.filter((d) => !isExpectedFinding(d)).length,
    by_severity: bySeverity,
    by_category: Object.fromEntries(Object.entries(byCategory).sort(([a], [b]) => a.localeCompare(b))),
  };
}
