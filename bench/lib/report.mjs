// Turns samples into the figures table, for the terminal and for docs/benchmarks.md.
import { summarize } from "./measure.mjs";

const ms = (value) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const share = (value) => `${Math.round(value * 100)}%`;
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}x` : "-");

/**
 * One row per kind plus an overall row: p50/p95 and answered share for each runner, and the p95
 * ratio first runner / second runner (project / reference).
 */
export function figures({ kinds, queries, samples, runners }) {
  const row = (label, example, filter) => {
    const stats = runners.map((runner) => summarize(samples.filter((s) => s.runner === runner.id && filter(s))));
    return { label, example, stats, ratio: ratio(stats[0].p95, stats[1].p95) };
  };
  const rows = kinds
    .filter((kind) => queries.some((query) => query.kind === kind))
    .map((kind) => {
      const examples = queries.filter((query) => query.kind === kind);
      return row(kind.label, `${examples[0].text} (+${examples.length - 1})`, (s) => s.kind === kind.id);
    });
  rows.push(row("overall", `${queries.length} queries`, () => true));
  return rows;
}

function columns(runners) {
  return [
    "kind",
    "queries",
    ...runners.flatMap((runner) => [`${runner.id} p50 ms`, `${runner.id} p95 ms`, `${runner.id} answered`]),
    `p95 ratio ${runners[0].id}/${runners[1].id}`,
  ];
}

const cells = (row) => [
  row.label,
  row.example,
  ...row.stats.flatMap((stats) => [ms(stats.p50), ms(stats.p95), share(stats.answered)]),
  row.ratio,
];

export function consoleTable(rows, runners) {
  const table = [columns(runners), ...rows.map(cells)];
  const widths = table[0].map((_, i) => Math.max(...table.map((line) => String(line[i]).length)));
  const line = (values) => values.map((value, i) => (i < 2 ? String(value).padEnd(widths[i]) : String(value).padStart(widths[i]))).join("  ");
  return [line(table[0]), widths.map((width) => "-".repeat(width)).join("  "), ...table.slice(1).map(line)].join("\n");
}

export function markdownTable(rows, runners) {
  const escape = (value) => String(value).replaceAll("|", "\\|");
  const header = columns(runners);
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i < 2 ? " --- " : " ---: ")).join("|")}|`,
    ...rows.map((row) => `| ${cells(row).map((cell, i) => (i === 1 ? `\`${escape(cell)}\`` : escape(cell))).join(" | ")} |`),
  ].join("\n");
}
