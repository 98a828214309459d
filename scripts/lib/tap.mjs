// Counts TAP results from any producer (pg_prove --verbose, our own checks) so that `npm test`
// can end with one "N passed, N failed" line over all of them (a skipped test is not a pass).
export function countTap(output) {
  let passed = 0;
  let failed = 0;
  for (const line of output.split("\n")) {
    // A skipped test did not run, so it did not pass: it counts as failed.
    if (/^\s*ok \d+.*#\s*skip\b/i.test(line)) failed += 1;
    else if (/^\s*ok \d+/.test(line)) passed += 1;
    else if (/^\s*not ok \d+/.test(line)) failed += 1;
  }
  return { passed, failed };
}

/** A tiny TAP producer for checks written in Node. */
export class Tap {
  #count = 0;
  passed = 0;
  failed = 0;

  ok(condition, description, diagnostics = "") {
    this.#count += 1;
    if (condition) this.passed += 1;
    else this.failed += 1;
    console.log(`${condition ? "ok" : "not ok"} ${this.#count} - ${description}`);
    if (!condition && diagnostics) {
      for (const line of String(diagnostics).split("\n")) console.log(`#   ${line}`);
    }
    return condition;
  }

  done() {
    console.log(`1..${this.#count}`);
    return this.failed === 0;
  }
}
