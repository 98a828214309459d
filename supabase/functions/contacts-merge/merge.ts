// contacts-merge without HTTP: one call of public.find_duplicate_contacts per page (keyset-paged by
// a signed (score, survivor_id, duplicate_id) cursor), one call of public.merge_contacts per merge.
// A page asks for one pair more than it lists, to know whether a next page has any: the pairs are
// only read (find_duplicate_contacts writes and logs nothing), and the row costs no more to find,
// as every pair of the owner is scored before the best are taken.
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

/** find_duplicate_contacts' largest result_limit: a page of that size looks ahead by a second call. */
const MAX_RESULT_LIMIT = 200;

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

  const page = (limit: number, from: z.infer<typeof Position> | null) =>
    db.query<CandidateRow>`
      select survivor_id, duplicate_id, score::text as score, reasons, survivor_display_name, duplicate_display_name
      from public.find_duplicate_contacts(
        ${input.contact_id ?? null}::uuid, ${input.min_score}::numeric, ${limit}::integer,
        ${from?.score ?? null}::numeric, ${from?.survivor_id ?? null}::uuid, ${from?.duplicate_id ?? null}::uuid,
        ${ownerId}::uuid)`;
  const positionOf = (row: CandidateRow) => ({ score: row.score, survivor_id: row.survivor_id, duplicate_id: row.duplicate_id });

  const found = await page(Math.min(input.limit + 1, MAX_RESULT_LIMIT), after);
  const rows = found.slice(0, input.limit);
  const last = rows.at(-1);
  // The SQL function lists at most 200 pairs: a full page of 200 asks once more, for one pair after it.
  const more = found.length > input.limit ||
    (last !== undefined && input.limit === MAX_RESULT_LIMIT && rows.length === input.limit &&
      (await page(1, positionOf(last))).length > 0);

  const candidates = rows.map((row) => DuplicateCandidate.parse({ ...row, score: Number(row.score) }));
  const next_cursor = last && more ? await sealCursor(positionOf(last), binding) : null;
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
