// zod schemas of contacts-merge: the query string of the candidate list, the body of a merge, and
// the answers (candidate pairs; the merge report of public.merge_contacts).
import { z } from "zod";
import { DecimalNumber, OwnerId, RowId } from "../schemas.ts";

/** The contact fields a merge can take from either side (public.merge_contacts). */
export const MergeField = z.enum([
  "first_name",
  "last_name",
  "display_name",
  "organization",
  "job_title",
  "external_id",
  "metadata",
  "tags",
  "status",
]);
export type MergeField = z.infer<typeof MergeField>;

export const MergeSide = z.enum(["survivor", "duplicate"]);

/** GET: one page of candidate pairs, owner-wide or for one contact. */
export const DuplicateCandidatesQuery = z.strictObject({
  contact_id: RowId.optional(),
  min_score: DecimalNumber.pipe(z.number().min(0).max(1)).default(0.3),
  limit: DecimalNumber.pipe(z.int().min(1).max(200)).default(50),
  cursor: z.string().min(1).max(512).optional(),
  /** The owner the request is for: required from service callers (secret key), refused from users. */
  owner_id: OwnerId.optional(),
});
export type DuplicateCandidatesQuery = z.infer<typeof DuplicateCandidatesQuery>;

/** same_handle: one Telegram username with and without its @. */
export const DuplicateReason = z.enum(["same_email", "same_phone", "same_handle", "same_external_id", "similar_name"]);

export const DuplicateCandidate = z.object({
  /** The older contact of the pair, suggested as the one to keep. */
  survivor_id: RowId,
  duplicate_id: RowId,
  score: z.number().min(0).max(1),
  reasons: z.array(DuplicateReason).min(1),
  survivor_display_name: z.string(),
  duplicate_display_name: z.string(),
});
export type DuplicateCandidate = z.infer<typeof DuplicateCandidate>;

export const DuplicateCandidatesResponse = z.object({
  candidates: z.array(DuplicateCandidate),
  next_cursor: z.string().nullable(),
});
export type DuplicateCandidatesResponse = z.infer<typeof DuplicateCandidatesResponse>;

/** POST: merge duplicate_id into survivor_id (or, with dry_run, report what that would do). */
export const MergeRequest = z.strictObject({
  survivor_id: RowId,
  duplicate_id: RowId,
  dry_run: z.boolean().default(false),
  /** Fields taken from the side named; the others: the survivor's, its empty ones filled. */
  fields: z.partialRecord(MergeField, MergeSide).optional(),
  owner_id: OwnerId.optional(),
}).refine((input) => input.survivor_id !== input.duplicate_id, {
  path: ["duplicate_id"],
  message: "survivor_id and duplicate_id must be two different contacts",
});
export type MergeRequest = z.infer<typeof MergeRequest>;

const Counts = z.record(z.string(), z.number().int().nonnegative());

export const MergeRowCounts = z.object({
  /** Rows re-pointed to the survivor, per table with a contact_id column. */
  moved: Counts,
  /** Rows of the duplicate dropped as repeats of the survivor's (same group, same grant). */
  dropped: Counts,
  /** The duplicate's primary channels of a type the survivor already had a primary for. */
  demoted_primary_channels: z.number().int().nonnegative(),
});

export const MergeReport = z.object({
  status: z.enum(["merged", "dry_run", "already_merged"]),
  merge_id: RowId.nullable(),
  survivor_id: RowId,
  duplicate_id: RowId,
  merged_at: z.string().nullable(),
  row_counts: MergeRowCounts,
  /** Merged and dry runs: the channels that move, and those that become secondary. */
  channels: z.object({ moved: z.array(RowId), demoted_to_secondary: z.array(RowId) }).optional(),
  /** Merged and dry runs: each survivor field that changes, where its value comes from, and the value. */
  fields: z.partialRecord(MergeField, z.object({ from: z.enum(["duplicate", "both"]), value: z.unknown() })).optional(),
  /** Already merged: the names of the fields that changed then (values are never kept). */
  filled_fields: z.array(MergeField).optional(),
});
export type MergeReport = z.infer<typeof MergeReport>;
