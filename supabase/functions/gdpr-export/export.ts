// gdpr-export without HTTP: one call of public.export_subject_data (which records the export), and
// the zip form of its answer.
import type { PostgresApi } from "@supabase/server/middleware/postgres";
import { strToU8, zipSync } from "fflate";
import { SubjectExport } from "../_shared/schemas/gdpr.ts";

export interface ExportSubject {
  ownerId: string | null;
  contactId: string | null;
  identifier: string | null;
}

/**
 * The export as the JSON text the database built. It is passed on as it is: parsing and
 * re-serializing tens of megabytes (10,000 interactions are about 8 MB) would cost more than
 * building them; the database assembles it from the catalog, not from request input.
 */
export async function exportSubjectText(db: PostgresApi, subject: ExportSubject): Promise<string> {
  const rows = await db.query<{ bundle: string }>`
    select public.export_subject_data(${subject.contactId}::uuid, ${subject.identifier}::text, ${subject.ownerId}::uuid)::text as bundle`;
  return rows[0].bundle;
}

/** The export, parsed and checked against its schema (for the zip archive, which needs its parts). */
export function parseExport(text: string): SubjectExport {
  return SubjectExport.parse(JSON.parse(text));
}

const README = `Subject access export

export.json       everything below in one document, as the JSON answer of gdpr-export gives it
contacts/<id>/    one folder per contact of the subject, one file per table (an array of rows)
traces/           when no contact holds the identifier: what the owner's records hold of it

Every table that holds rows about a contact has a file, empty arrays included, so an absent file
never means "not looked at". contact_import_jobs.json lists the import jobs that created or changed
the contact (file name, status, dates), not the other rows of those files.
contact_import_job_errors.json holds the lines of import error reports whose value is one of the
contact's e-mail addresses or numbers; contact_import_dry_run_entries.json the entries of import
previews (dry runs) that name the contact or hold one of them; contact_import_headers.json the
import jobs whose kept first line (a person's row when the file had no header line) holds one of
them. agent_contact_access_log.json lists the agents' searches for the contact (when, which agent,
how many results, who called; never the query): searches for one of its names or identifiers, a
word of its names, or a number ending in its number's digits. groups_mentioning_subject.json lists
the owner's groups whose name or description mentions the contact's names or identifiers, or whose
rules hold one of them as a value (with those rules). merges.json lists the merges of duplicate
contacts into the contact (and into those, before), oldest first: merge id,
survivor and duplicate ids, when, by whom (owner or service), the names of the fields the merge
filled and the rows it moved per table; never values.

When no contact holds the e-mail address or number asked for, contact_ids and subjects are empty
and traces/ holds what the owner's records hold of it, found as above: contact_import_job_errors.json,
contact_import_headers.json, contact_import_dry_run_entries.json, agent_contact_access_log.json and
groups_mentioning_subject.json. traces/counts.json counts them, and withdrawn_addresses counts the
withdrawals the owner remembers for the identifier (kept as keyed hashes only, so never listed).
`;

/** The export as a zip archive: the whole JSON, one file per table per contact, and one per kind of trace. */
export function exportArchive(result: SubjectExport): Uint8Array<ArrayBuffer> {
  const files: Record<string, Uint8Array> = {
    "README.txt": strToU8(README),
    "export.json": strToU8(JSON.stringify(result, null, 2)),
  };
  for (const bundle of result.subjects) {
    for (const [key, value] of Object.entries(bundle)) {
      if (Array.isArray(value)) files[`contacts/${bundle.contact_id}/${key}.json`] = strToU8(JSON.stringify(value, null, 2));
    }
  }
  for (const [key, value] of Object.entries(result.traces ?? {})) {
    files[`traces/${key}.json`] = strToU8(JSON.stringify(value, null, 2));
  }
  return new Uint8Array(zipSync(files, { level: 6, mtime: new Date(result.exported_at) }));
}
