// POST /functions/v1/gdpr-export[?format=zip]: everything held about a data subject, named by
// contact id or by an e-mail address or phone number (any format; several contacts may match).
// Callers: the owner, or the service (secret key) naming the owner. Agent tokens: 403.
import { createHandler, forbidAgentTokens } from "../_shared/auth.ts";
import { ownerScope, subjectIdentifier } from "../_shared/data-subjects.ts";
import { guardDatabase } from "../_shared/db.ts";
import { parseQuery } from "../_shared/schemas.ts";
import { GdprExportQuery, GdprExportRequest } from "../_shared/schemas/gdpr.ts";
import { exportArchive, exportSubjectFiles, exportSubjectText } from "./export.ts";

export const handler = createHandler(
  { name: "gdpr-export", methods: ["POST"], auth: ["user", "secret"], maxBodyBytes: 16 * 1024 },
  async (req, ctx) => {
    forbidAgentTokens(ctx.caller, "export personal data");
    const { format } = parseQuery(req, GdprExportQuery);
    const input = await ctx.json(GdprExportRequest);
    const subject = {
      ownerId: ownerScope(ctx.caller, input.owner_id),
      contactId: input.contact_id ?? null,
      identifier: subjectIdentifier(input.identifier, input.default_country),
    };
    if (format === "zip") {
      const exported = await guardDatabase("read", { fn: ctx.fn, req }, () => exportSubjectFiles(ctx.db, subject));
      return new Response(exportArchive(exported), {
        headers: {
          "content-type": "application/zip",
          "content-disposition": `attachment; filename="subject-export-${exported.requestId}.zip"`,
        },
      });
    }
    const text = await guardDatabase("read", { fn: ctx.fn, req }, () => exportSubjectText(ctx.db, subject));
    return new Response(text, { headers: { "content-type": "application/json" } });
  },
);

export default { fetch: handler };
