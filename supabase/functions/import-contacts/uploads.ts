// Uploads the import put in Storage and no longer needs go at once. A removal that fails never
// fails the request, and never leaves the file for good: the database queues a job's upload when
// the job ends or goes (20251017000000), and an upload that no job keeps is queued here
// (20251018000000). contacts-retention removes what is queued.
import type { PostgresApi } from "@supabase/server/middleware/postgres";
import type { FileStorage, StoredObject } from "../_shared/storage.ts";

const warn = (event: string, object: StoredObject, error: unknown) =>
  console.error(JSON.stringify({ fn: "import-contacts", level: "warn", event, path: `${object.bucket}/${object.path}`, message: String(error) }));

/** Removes the upload of a job that no longer needs it (cancelled, or undone). */
export async function discardUpload(storage: FileStorage, upload: StoredObject | null): Promise<void> {
  if (!upload) return;
  await storage.remove(upload).catch((error) => warn("upload_not_removed", upload, error));
}

/**
 * Removes an upload that no job keeps (the same file again, a job not created, a file refused),
 * on the caller's connection; its owner is the first segment of its path (imports/<owner id>/...).
 */
export async function discardUnusedUpload(storage: FileStorage, db: PostgresApi, upload: StoredObject): Promise<void> {
  try {
    await storage.remove(upload);
  } catch (error) {
    warn("upload_not_removed", upload, error);
    await db.queryRaw(`select private.queue_unused_import_upload($1, $2)`, [upload.path.split("/")[0], `${upload.bucket}/${upload.path}`])
      .catch((queueing) => warn("upload_not_queued", upload, queueing));
  }
}
