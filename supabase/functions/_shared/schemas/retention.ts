// zod schemas of contacts-retention: the options a service caller may give a run and the answer
// it gets (the run log row with its per-owner, per-class counts, and the uploads it removed).
import { z } from "zod";
import { RowId } from "../schemas.ts";

export const RetentionRequest = z.strictObject({
  /** Count what would go, change nothing. */
  dry_run: z.boolean().default(false),
  /** Apply only this owner's policies. */
  owner: RowId.optional(),
  /** Stop after this many batches (transactions); the next run resumes where this one stopped. */
  max_batches: z.int().min(1).max(1_000_000).optional(),
});
export type RetentionRequest = z.infer<typeof RetentionRequest>;

export const RetentionStatus = z.enum(["completed", "stopped", "failed", "interrupted", "skipped", "running"]);

export const RetentionOwnerCount = z.object({
  user_id: RowId,
  data_class: z.string(),
  action: z.enum(["delete", "anonymize"]),
  affected_rows: z.number().int().nonnegative(),
});

export const RetentionRun = z.object({
  run_id: z.number().int().positive(),
  status: RetentionStatus,
  dry_run: z.boolean(),
  owner: RowId.nullable(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  batches: z.number().int().nonnegative(),
  longest_batch_ms: z.number().nonnegative(),
  affected_rows: z.number().int().nonnegative(),
  /** Totals per data class and action, e.g. { interactions: { delete: 120 } }. */
  counts: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())),
  /** Per owner and class: every policy the run applied that affected something (or would have). */
  per_owner: z.array(RetentionOwnerCount),
  policies: z.number().int().nonnegative(),
  /** Policies that failed in this run (each stopped alone; the run is 'failed' and the next resumes them). */
  failed_policies: z.number().int().nonnegative(),
  /** True when the run stopped at max_batches or its time budget with work left: call again to resume. */
  more: z.boolean(),
  resumed_run_id: z.number().int().positive().nullable(),
});
export type RetentionRun = z.infer<typeof RetentionRun>;

/** Uploads of ended or deleted import jobs, removed from Storage after the run. */
export const UploadSweep = z.object({
  removed: z.number().int().nonnegative(),
  /** Still queued: a dry run's whole queue, or what a Storage failure or the time budget left. */
  waiting: z.number().int().nonnegative(),
});
export type UploadSweep = z.infer<typeof UploadSweep>;

export const RetentionResponse = RetentionRun.extend({ uploads: UploadSweep });
export type RetentionResponse = z.infer<typeof RetentionResponse>;
