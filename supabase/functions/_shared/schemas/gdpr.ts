// zod schemas of gdpr-export and gdpr-delete: the request bodies and query strings they accept and
// the answers they give. A subject is named by a contact id or by an identifier (an e-mail address
// or a phone number in any format; `default_country` reads national phone formats).
import { z } from "zod";
import { OwnerId, RowId, StorableText } from "../schemas.ts";
import { DefaultCountry } from "./country.ts";

const Identifier = StorableText.trim().min(3).max(320);

const subject = {
  contact_id: RowId.optional(),
  identifier: Identifier.optional(),
  default_country: DefaultCountry.optional(),
  /** The owner the request is for: required from service callers (secret key), refused from users. */
  owner_id: OwnerId.optional(),
};

const oneSubject = <T extends { contact_id?: string; identifier?: string }>(value: T, ctx: z.RefinementCtx) => {
  if ((value.contact_id === undefined) === (value.identifier === undefined)) {
    ctx.addIssue({ code: "custom", path: ["contact_id"], message: "give either contact_id or identifier" });
  }
};

export const GdprExportRequest = z.strictObject(subject).superRefine(oneSubject);
export type GdprExportRequest = z.infer<typeof GdprExportRequest>;

export const GdprExportQuery = z.strictObject({ format: z.enum(["json", "zip"]).default("json") });
export type GdprExportQuery = z.infer<typeof GdprExportQuery>;

export const DeleteMode = z.enum(["erase", "anonymize"]);

export const GdprDeleteRequest = z.strictObject({
  ...subject,
  mode: DeleteMode.default("erase"),
  /** Chosen by the caller: a repeat with the same key returns the same receipt. */
  idempotency_key: RowId.optional(),
}).superRefine(oneSubject);
export type GdprDeleteRequest = z.infer<typeof GdprDeleteRequest>;

export const GdprVerifyQuery = z.strictObject({
  identifier: Identifier,
  default_country: DefaultCountry.optional(),
  owner_id: OwnerId.optional(),
});
export type GdprVerifyQuery = z.infer<typeof GdprVerifyQuery>;

const Counts = z.record(z.string(), z.number().int().nonnegative());

export const ErasureReceipt = z.object({
  request_id: RowId,
  mode: DeleteMode,
  processed_at: z.string(),
  actor: z.object({ role: z.enum(["owner", "service"]), user_id: RowId.nullable() }),
  contact_ids: z.array(RowId),
  counts: Counts,
  identifier_hashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
});
export type ErasureReceipt = z.infer<typeof ErasureReceipt>;

export const ErasureVerification = z.object({
  identifier_type: z.enum(["email", "phone"]),
  /** An erasure is recorded and no contact holds the identifier now. */
  erased: z.boolean(),
  erased_on: z.string().nullable(),
  /** How many of the owner's contacts hold the identifier now. */
  held_by_contacts: z.int().nonnegative(),
  message: z.string(),
  receipts: z.array(z.object({ request_id: RowId, mode: DeleteMode, processed_at: z.string() })),
});
export type ErasureVerification = z.infer<typeof ErasureVerification>;
