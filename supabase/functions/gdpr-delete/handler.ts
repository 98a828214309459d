// /functions/v1/gdpr-delete
//   POST  erase (default) or anonymize a data subject, named by contact id or by an e-mail address
//         or phone number (any format; every matching contact): one transaction; answers the
//         stored, PII-free receipt (a repeat answers the same receipt, or 404 when nothing matches).
//   GET   ?identifier=...: was this subject erased, and when (checked against the receipts' keyed
//         hashes; the identifier is not kept).
// Callers: the owner, or the service (secret key) naming the owner. Agent tokens: 403. A contact
// under legal hold: 409, nothing changed.
import { createHandler, forbidAgentTokens } from "../_shared/auth.ts";
import { ownerScope, subjectIdentifier } from "../_shared/data-subjects.ts";
import { guardDatabase } from "../_shared/db.ts";
import { NoQuery, parseQuery } from "../_shared/schemas.ts";
import { GdprDeleteRequest, GdprVerifyQuery } from "../_shared/schemas/gdpr.ts";
import { deleteSubject, verifyErasure } from "./erase.ts";

export const handler = createHandler(
  { name: "gdpr-delete", methods: ["POST", "GET"], auth: ["user", "secret"], maxBodyBytes: 16 * 1024 },
  async (req, ctx) => {
    forbidAgentTokens(ctx.caller, "erase personal data");
    if (req.method === "GET") {
      const query = parseQuery(req, GdprVerifyQuery);
      const ownerId = ownerScope(ctx.caller, query.owner_id);
      const identifier = subjectIdentifier(query.identifier, query.default_country)!;
      return Response.json(await guardDatabase("read", { fn: ctx.fn, req }, () => verifyErasure(ctx.db, identifier, ownerId)));
    }

    parseQuery(req, NoQuery);
    const input = await ctx.json(GdprDeleteRequest);
    const subject = {
      ownerId: ownerScope(ctx.caller, input.owner_id),
      contactId: input.contact_id ?? null,
      identifier: subjectIdentifier(input.identifier, input.default_country),
      mode: input.mode,
      idempotencyKey: input.idempotency_key ?? null,
    };
    return Response.json(await guardDatabase("delete", { fn: ctx.fn, req }, () => deleteSubject(ctx.db, subject)));
  },
);

export default { fetch: handler };
