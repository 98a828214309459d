// agent-contact-search without HTTP: one call of the agent search (private.agent_contact_search,
// search_contacts_for_agent with a look-ahead), paged by a signed keyset cursor: the last row's
// score and id, and the names it sorted by as it was listed (so a page continues where the last one
// ended even when that contact changed since). The search itself says whether a row follows the page
// (more_after): it reads one row past the page and neither returns nor logs it, so a cursor is given
// only when a next page has rows.
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
  more_after: boolean;
}

export async function searchContacts(db: PostgresApi, caller: Caller, input: AgentSearchRequest): Promise<AgentSearchResponse> {
  const binding = await bindingOf([
    caller.kind, caller.userId, caller.agentId, input.agent_id, input.query,
    input.channel_types ?? null, input.group_id ?? null, input.limit,
  ]);
  const after = input.cursor ? await openCursor(input.cursor, binding, Position) : null;

  const rows = await db.query<SearchRow>`
    select contact_id, display_name, organization, channels, score::text as score, match_reason, more_after
    from private.agent_contact_search(
      ${input.agent_id}::uuid, ${input.query}::text, ${input.channel_types ?? null}::text[], ${input.group_id ?? null}::uuid,
      ${input.limit}::integer, ${after?.score ?? null}::numeric, ${after?.contact_id ?? null}::uuid,
      ${after?.display_name ?? null}::text, ${after?.organization ?? null}::text, true)`;

  const results = rows.map(({ more_after: _more, ...row }) => AgentSearchResult.parse({ ...row, score: Number(row.score) }));
  const last = rows.at(-1);
  const next_cursor = last?.more_after
    ? await sealCursor(
      { score: last.score, contact_id: last.contact_id, display_name: last.display_name, organization: last.organization },
      binding,
    )
    : null;
  return { results, next_cursor };
}
