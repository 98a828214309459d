// The uploads import jobs are done with, removed from Storage after the retention run. The database
// queues each one in the transaction that ends or deletes its job (an owner's direct cancel or
// delete, a retention policy, the owner's account going: migration 20251017000000), but cannot
// remove a Storage object itself.
import { z } from "zod";
import { type FileStorage, isSafeObject, objectOf } from "../_shared/storage.ts";
import type { UploadSweep } from "../_shared/schemas/retention.ts";
import type { RunSession } from "./retention.ts";

/** Paths taken from the queue at a time: what one Storage request removes. */
const BATCH = 1000;
/** No further batch after this long (after the run's own 100 s, within the hosted 150 s); the rest waits for the next run. */
const TIME_BUDGET_MS = 20_000;

export interface SweepOptions {
  ownerId: string | null;
  /** Count what is due, remove nothing. */
  dryRun: boolean;
}

const Due = z.array(z.object({ storage_path: z.string() }));
const Waiting = z.tuple([z.object({ waiting: z.coerce.number() })]);

const due = async (db: RunSession, ownerId: string | null) =>
  Due.parse(await db.query("select storage_path from private.import_uploads_due($1, $2)", [ownerId, BATCH]))
    .map((row) => row.storage_path);

const waiting = async (db: RunSession, ownerId: string | null) =>
  Waiting.parse(await db.query("select count(*) as waiting from private.import_uploads_due($1, null)", [ownerId]))[0].waiting;

/**
 * Removes the queued uploads that no live job names (one owner's, or everyone's), oldest first, and
 * forgets them once Storage has. A Storage failure stops the sweep with the rest still queued: the
 * run's own work is done and stays, and the next run tries again.
 */
export async function removeQueuedUploads(db: RunSession, storage: FileStorage, options: SweepOptions): Promise<UploadSweep> {
  const started = performance.now();
  let removed = 0;
  while (!options.dryRun && performance.now() - started < TIME_BUDGET_MS) {
    const paths = await due(db, options.ownerId);
    if (paths.length === 0) break;
    // A path no upload could have (the intake only writes safe ones) is forgotten, not sent.
    const objects = paths.map(objectOf).filter(isSafeObject);
    try {
      await storage.removeAll(objects);
    } catch (error) {
      console.error(JSON.stringify({ fn: "contacts-retention", level: "warn", event: "uploads_not_removed", count: objects.length, message: String(error) }));
      break;
    }
    await db.query("delete from private.import_uploads_to_remove where storage_path = any($1)", [paths]);
    removed += objects.length;
    if (paths.length < BATCH) break;
  }
  return { removed, waiting: await waiting(db, options.ownerId) };
}
