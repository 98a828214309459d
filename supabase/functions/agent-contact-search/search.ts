// agent-contact-search without HTTP: one call of public.search_contacts_for_agent, paged by a
// signed keyset cursor: the last row's score and id, and the names it sorted by as it was listed
// (so a page continues where the last one ended even when that contact changed since).
import type { PostgresApi } from "@supabase/server/middleware/postgres";
import { z } from "zod";
import type { Caller } from "../_shared/auth.ts";
import { bindingOf, openCursor, sealCursor } from "../_shared/cursor.ts";
import { type AgentSearchRequest, type AgentSearchResponse, AgentSearchResult, RowId } from "../_shared/schemas.ts";

// Scores are numeric(…,4) in SQL and travel as text so that keyset comparisons stay exact.
const Position = z.object({
  score: z.string().regex(/^\d(\.\d{1,4})?$/),
  contact_id: RowId,
  display_name: z.string(),
  organization: z.string().nullable(),
});

interface SearchRow {
  contact_id: string;
  display_name: string;
  organization: string | null;
  channels: unknown;
  score: string;
  match_reason: string;
}

export async function searchContacts(db: PostgresApi, caller: Caller, input: AgentSearchRequest): Promise<AgentSearchResponse> {
  const binding = await bindingOf([
    caller.kind, caller.userId, caller.agentId, input.agent_id, input.query,
    input.channel_types ?? null, input.group_id ?? null, input.limit,
  ]);
  const after = input.cursor ? await openCursor(input.cursor, binding, Position) : null;

  const rows = await db.query<SearchRow>`
    select contact_id, display_name, organization, channels, score::text as score, match_reason
    from public.search_contacts_for_agent(
      ${input.agent_id}::uuid, ${input.query}::text, ${input.channel_types ?? null}::text[], ${input.group_id ?? null}::uuid,
      ${input.limit}::integer, ${after?.score ?? null}::numeric, ${after?.contact_id ?? null}::uuid,
      ${after?.display_name ?? null}::text, ${after?.organization ?? null}::text)`;

  const results = rows.map((row) => AgentSearchResult.parse({ ...row, score: Number(row.score) }));
  const last = rows.at(-1);
  const next_cursor = last && rows.length === input.limit
    ? await sealCursor(
      { score: last.score, contact_id: last.contact_id, display_name: last.display_name, organization: last.organization },
      binding,
    )
    : null;
  return { results, next_cursor };
}
