// POST /functions/v1/contacts-retention: applies the retention policies now, batch by batch, and
// answers the run's counts. Options: dry_run (count only), owner (one owner's policies),
// max_batches (stop early; the next run resumes). Then removes from Storage the uploads of import
// jobs that ended or went (queued by the database), the owner's only when it names one. Callers: the service only (the secret key, as the
// hosted pg_cron job sends it through pg_net); user and agent tokens: 403; no credentials: 401.
// A run already in progress: 409 at once (the skipped run is logged).
import { createHandler } from "../_shared/auth.ts";
import { databaseErrorToHttp, guardDatabase } from "../_shared/db.ts";
import { HttpError } from "../_shared/http.ts";
import { RetentionRequest, type RetentionResponse } from "../_shared/schemas/retention.ts";
import { fileStorage } from "../_shared/storage.ts";
import { openRunSession, runRetention } from "./retention.ts";
import { removeQueuedUploads } from "./uploads.ts";

export const handler = createHandler(
  { name: "contacts-retention", methods: ["POST"], auth: ["user", "secret"], maxBodyBytes: 4 * 1024 },
  async (req, ctx) => {
    if (ctx.caller.kind !== "service") {
      throw new HttpError(403, "forbidden", "Retention runs are for service callers (the secret key) only");
    }
    // Every option has a default: a POST without a body (a scheduler's, or invoke() without one,
    // with or without a JSON content type) runs every policy.
    const input = await ctx.json(RetentionRequest, { emptyBody: {} });
    const session = await guardDatabase("write", { fn: ctx.fn, req }, openRunSession);
    try {
      const result = await runRetention(session, {
        dryRun: input.dry_run,
        ownerId: input.owner ?? null,
        maxBatches: input.max_batches ?? null,
      });
      if (result.status === "skipped") {
        throw new HttpError(409, "conflict", "Another retention run is in progress; this one was skipped", {
          run_id: result.run_id,
        });
      }
      // Uploads go whatever befell the run: a policy that keeps failing must not keep every owner's files.
      const uploads = await removeQueuedUploads(session, fileStorage(), { ownerId: input.owner ?? null, dryRun: input.dry_run });
      if (result.status === "failed") {
        throw new HttpError(500, "internal_error", "The retention run failed; it is logged and the next run resumes it", {
          run_id: result.run_id,
          failed_policies: result.failed_policies,
          uploads,
        });
      }
      return Response.json({ ...result, uploads } satisfies RetentionResponse);
    } catch (error) {
      throw databaseErrorToHttp(error, "write", { fn: ctx.fn, req });
    } finally {
      await session.end();
    }
  },
);

export default { fetch: handler };
