// /functions/v1/contacts-merge
//   GET  ?contact_id=&min_score=&limit=&cursor=   candidate duplicate pairs, best first, paged
//   POST { survivor_id, duplicate_id, dry_run?, fields? }   merges the duplicate into the survivor
//        (dry_run: reports exactly what would move, writes nothing)
// Callers: the owner, or the service (secret key) naming the owner with owner_id. Agent tokens: 403.
import { createHandler, forbidAgentTokens } from "../_shared/auth.ts";
import { ownerScope } from "../_shared/data-subjects.ts";
import { guardDatabase } from "../_shared/db.ts";
import { NoQuery, parseQuery } from "../_shared/schemas.ts";
import { DuplicateCandidatesQuery, MergeRequest } from "../_shared/schemas/merge.ts";
import { findCandidates, mergeContacts } from "./merge.ts";

export const handler = createHandler(
  { name: "contacts-merge", methods: ["GET", "POST"], auth: ["user", "secret"], maxBodyBytes: 16 * 1024 },
  async (req, ctx) => {
    forbidAgentTokens(ctx.caller, "find or merge duplicate contacts");
    if (req.method === "GET") {
      const input = parseQuery(req, DuplicateCandidatesQuery);
      const ownerId = ownerScope(ctx.caller, input.owner_id);
      return Response.json(await guardDatabase("read", { fn: ctx.fn, req }, () => findCandidates(ctx.db, ctx.caller, ownerId, input)));
    }
    parseQuery(req, NoQuery);
    const input = await ctx.json(MergeRequest);
    const ownerId = ownerScope(ctx.caller, input.owner_id);
    return Response.json(await guardDatabase("write", { fn: ctx.fn, req }, () => mergeContacts(ctx.db, ownerId, input)));
  },
);

export default { fetch: handler };
