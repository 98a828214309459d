// Times each query of the mix on each runner, in the client, around one round trip per call.

/**
 * Runs every query `warmup` times untimed on each runner, then `iterations` times timed. The
 * runners take turns call by call, alternating who goes first, so both see the same cache and
 * machine conditions (other work on the machine shows in both columns alike).
 */
export async function measure({ runners, queries, iterations, warmup, onProgress = () => {} }) {
  const samples = [];
  for (const [index, query] of queries.entries()) {
    // A paired query names each runner's own query (the same kind drawn from its own data).
    const own = (runner) => query.perRunner?.[runner.id] ?? query;
    for (let round = 0; round < warmup; round += 1) {
      for (const runner of runners) await runner.run(own(runner).text);
    }
    for (let round = 0; round < iterations; round += 1) {
      const order = round % 2 === 0 ? runners : [...runners].reverse();
      for (const runner of order) {
        const start = process.hrtime.bigint();
        const rows = await runner.run(own(runner).text);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        samples.push({ kind: query.kind.id, runner: runner.id, ms, ok: query.kind.check(rows, own(runner)), rows: rows.length });
      }
    }
    onProgress(index + 1, queries.length);
  }
  return samples;
}

/** Nearest-rank percentile of sorted numbers. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** p50, p95, max and the share of answered queries of a set of samples. */
export function summarize(samples) {
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  return {
    n: samples.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    max: sorted.at(-1),
    answered: samples.filter((sample) => sample.ok).length / samples.length,
  };
}
