// import-contacts under the hosted limits, on a second functions gateway started by this test with
// the memory limit of the hosted platform (256 MB) and a wall clock lowered to 20 s per invocation,
// so that no single invocation could import a large file: the job must go in bounded slices that
// hand the rest on. Proves that a 1,048,576-row import completes that way in flat memory, and that
// a worker killed in the middle of a batch loses nothing and duplicates nothing on resume.
import { assert, assertEquals } from "@std/assert/mod.js";
import { generatedCsv, type Job, peakMemory, startLimitedGateway, storedFile, upload, waitForJob } from "./_support/import.ts";
import { createOwner, type Owner, removeOwners, sql } from "./_support/stack.ts";

const WALL_CLOCK_MS = 20_000;
const MEMORY_MB = 256;

async function ownerStats(ownerId: string) {
  const [row] = await sql<{ contacts: number; emails: number; distinct_emails: number; changes: number }>(
    `select (select count(*) from public.contacts where user_id = $1)::int as contacts,
            (select count(*) from public.contact_communication_channels where user_id = $1 and channel_type = 'email')::int as emails,
            (select count(distinct normalized_identifier) from public.contact_communication_channels where user_id = $1 and channel_type = 'email')::int as distinct_emails,
            (select count(*) from public.contact_import_changes where user_id = $1)::int as changes`,
    [ownerId],
  );
  return row;
}

Deno.test("import-contacts under the hosted limits", { sanitizeResources: false, sanitizeOps: false }, async (t) => {
  const gateway = await startLimitedGateway({
    wallClockMs: WALL_CLOCK_MS,
    memoryMb: MEMORY_MB,
    // Each slice stops well inside the wall clock (and at the hosted 2 s of CPU).
    env: { IMPORT_SLICE_WALL_MS: "6000", IMPORT_SLICE_CPU_MS: "1500" },
  });
  // Owners are created inside the try: a gateway left running by a failed set-up would outlive
  // the test, with its worker processes.
  const owners: Owner[] = [];
  try {
    const killed = await createOwner("import-killed");
    const million = await createOwner("import-million");
    owners.push(killed, million);
    await t.step("a worker killed mid-batch: resume continues after the last committed batch, no duplicates, no loss", async () => {
      const token = await killed.token();
      const rows = 40_000;
      const started = await upload(token, generatedCsv(rows, { prefix: "k" }), {}, gateway.url);
      assertEquals(started.status, 202, JSON.stringify(started.body));
      await waitForJob(token, started.body.id, { base: gateway.url, timeoutMs: 300_000, until: (job) => job.processed_rows >= 10_000 });
      const pid = gateway.workerPid("import-contacts");
      assert(pid !== null, "the import worker process is found");
      Deno.kill(pid!, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 500));
      const interrupted = await sql<{ status: string; processed_rows: string }>(
        `select status, processed_rows from public.contact_import_jobs where id = $1`, [started.body.id]);
      assertEquals(interrupted[0].status, "processing", "the job was interrupted while processing");
      assert(Number(interrupted[0].processed_rows) < rows, "and had work left");

      const resumed = await fetch(`${gateway.url}/functions/v1/import-contacts/${started.body.id}/resume`, {
        method: "POST", headers: { Authorization: `Bearer ${token}` },
      });
      assertEquals(resumed.status, 202, await resumed.text());
      const job = await waitForJob(token, started.body.id, { base: gateway.url, timeoutMs: 600_000 });
      assertEquals([job.status, job.total_rows, job.processed_rows, job.created, job.failed], ["completed", rows, rows, rows, 0]);
      assertEquals(await ownerStats(killed.id), { contacts: rows, emails: rows, distinct_emails: rows, changes: rows },
        "every row exactly once: no contact lost, none twice");
    });

    // The slowest step of the suite (several minutes on two cores): the proof that a file at the row
    // limit imports within the hosted limits.
    await t.step({
      name: "1,048,576 rows complete in bounded slices under a 20 s wall clock and 256 MB, in flat memory",
      fn: async () => {
      const token = await million.token();
      const rows = 1_048_576;
      // A file this size goes to Storage first (as supabase-js storage.upload puts it there); the
      // function is given the reference and streams it from there.
      const file = storedFile(million.id, "million.csv");
      await generatedCsv(rows, { prefix: "m" }).pipeTo((await Deno.create(file)).writable);
      const response = await fetch(`${gateway.url}/functions/v1/import-contacts`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ storage: { bucket: "imports", path: `${million.id}/million.csv` } }),
      });
      const started = { status: response.status, body: await response.json() as Job };
      assertEquals(started.status, 202, JSON.stringify(started.body));
      assertEquals(started.body.total_rows, rows);
      const job: Job = await waitForJob(token, started.body.id, { base: gateway.url, timeoutMs: 3 * 3600_000 });
      assertEquals([job.status, job.processed_rows, job.created, job.updated, job.skipped, job.failed], ["completed", rows, rows, 0, 0, 0]);
      assert(job.slices > 5, `handed on between invocations (${job.slices} slices)`);
      assert(job.slice_stats.max_wall_ms < WALL_CLOCK_MS, `every slice ended inside the wall clock (longest ${job.slice_stats.max_wall_ms} ms)`);
      assert(job.slice_stats.max_rss_bytes < 160 * 1024 * 1024, `resident memory stayed flat (${job.slice_stats.max_rss_bytes} bytes)`);
      const pid = gateway.workerPid("import-contacts");
      assert(pid !== null);
      const peak = peakMemory(pid!);
      assert(peak < MEMORY_MB * 1024 * 1024, `the worker's peak memory ${peak} stayed under the ${MEMORY_MB} MB limit`);
      const stats = await ownerStats(million.id);
      assertEquals(stats, { contacts: rows, emails: rows, distinct_emails: rows, changes: rows });
      Deno.removeSync(file);
      },
    });
  } finally {
    await gateway.stop();
    await removeOwners(...owners);
  }
});
