// contacts-merge without HTTP: one call of public.find_duplicate_contacts per page (keyset-paged by
// a signed (score, survivor_id, duplicate_id) cursor), one call of public.merge_contacts per merge.
import type { PostgresApi } from "@supabase/server/middleware/postgres";
import { z } from "zod";
import type { Caller } from "../_shared/auth.ts";
import { bindingOf, openCursor, sealCursor } from "../_shared/cursor.ts";
import {
  DuplicateCandidate,
  type DuplicateCandidatesQuery,
  type DuplicateCandidatesResponse,
  MergeReport,
  type MergeRequest,
} from "../_shared/schemas/merge.ts";
import { RowId } from "../_shared/schemas.ts";

// Scores are numeric(…,4) in SQL and travel as text so that keyset comparisons stay exact.
const Position = z.object({ score: z.string().regex(/^[01](\.\d{1,4})?$/), survivor_id: RowId, duplicate_id: RowId });

interface CandidateRow {
  survivor_id: string;
  duplicate_id: string;
  score: string;
  reasons: string[];
  survivor_display_name: string;
  duplicate_display_name: string;
}

export async function findCandidates(
  db: PostgresApi,
  caller: Caller,
  ownerId: string | null,
  input: DuplicateCandidatesQuery,
): Promise<DuplicateCandidatesResponse> {
  const binding = await bindingOf([
    "contacts-merge", caller.kind, caller.userId, ownerId, input.contact_id ?? null, input.min_score, input.limit,
  ]);
  const after = input.cursor ? await openCursor(input.cursor, binding, Position) : null;

  const rows = await db.query<CandidateRow>`
    select survivor_id, duplicate_id, score::text as score, reasons, survivor_display_name, duplicate_display_name
    from public.find_duplicate_contacts(
      ${input.contact_id ?? null}::uuid, ${input.min_score}::numeric, ${input.limit}::integer,
      ${after?.score ?? null}::numeric, ${after?.survivor_id ?? null}::uuid, ${after?.duplicate_id ?? null}::uuid,
      ${ownerId}::uuid)`;

  const candidates = rows.map((row) => DuplicateCandidate.parse({ ...row, score: Number(row.score) }));
  const last = rows.at(-1);
  const next_cursor = last && rows.length === input.limit
    ? await sealCursor({ score: last.score, survivor_id: last.survivor_id, duplicate_id: last.duplicate_id }, binding)
    : null;
  return { candidates, next_cursor };
}

/** The options of public.merge_contacts: dry_run and the fields picked one by one. */
export function mergeOptions(input: Pick<MergeRequest, "dry_run" | "fields">): Record<string, unknown> {
  return input.fields ? { dry_run: input.dry_run, fields: input.fields } : { dry_run: input.dry_run };
}

export async function mergeContacts(db: PostgresApi, ownerId: string | null, input: MergeRequest): Promise<MergeReport> {
  const rows = await db.query<{ report: unknown }>`
    select public.merge_contacts(${input.survivor_id}::uuid, ${input.duplicate_id}::uuid,
      ${JSON.stringify(mergeOptions(input))}::jsonb, ${ownerId}::uuid) as report`;
  return MergeReport.parse(rows[0].report);
}
