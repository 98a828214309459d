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
import { databaseErrorToHttp } from "../_shared/db.ts";
import { parseJson, parseQuery } from "../_shared/schemas.ts";
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
      try {
        return Response.json(await verifyErasure(ctx.db, identifier, ownerId));
      } catch (error) {
        throw databaseErrorToHttp(error, "read", { fn: ctx.fn, req });
      }
    }

    const input = await parseJson(req, GdprDeleteRequest, 16 * 1024);
    const subject = {
      ownerId: ownerScope(ctx.caller, input.owner_id),
      contactId: input.contact_id ?? null,
      identifier: subjectIdentifier(input.identifier, input.default_country),
      mode: input.mode,
      idempotencyKey: input.idempotency_key ?? null,
    };
    try {
      return Response.json(await deleteSubject(ctx.db, subject));
    } catch (error) {
      throw databaseErrorToHttp(error, "delete", { fn: ctx.fn, req });
    }
  },
);

export default { fetch: handler };
