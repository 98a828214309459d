// gdpr-delete without HTTP: one call of public.gdpr_delete_subject (erase or anonymize, in one
// transaction, returning the stored receipt), and of public.verify_subject_erasure.
import type { PostgresApi } from "@supabase/server/middleware/postgres";
import { type ErasureReceipt, ErasureVerification, ErasureReceipt as Receipt } from "../_shared/schemas/gdpr.ts";

export interface DeleteSubject {
  ownerId: string | null;
  contactId: string | null;
  identifier: string | null;
  mode: "erase" | "anonymize";
  idempotencyKey: string | null;
}

export async function deleteSubject(db: PostgresApi, subject: DeleteSubject): Promise<ErasureReceipt> {
  const rows = await db.query<{ receipt: unknown }>`
    select public.gdpr_delete_subject(${subject.contactId}::uuid, ${subject.identifier}::text, ${subject.mode}::text,
      ${subject.ownerId}::uuid, ${subject.idempotencyKey}::uuid) as receipt`;
  return Receipt.parse(rows[0].receipt);
}

export async function verifyErasure(db: PostgresApi, identifier: string, ownerId: string | null): Promise<ErasureVerification> {
  const rows = await db.query<{ verification: unknown }>`
    select public.verify_subject_erasure(${identifier}::text, ${ownerId}::uuid) as verification`;
  return ErasureVerification.parse(rows[0].verification);
}
