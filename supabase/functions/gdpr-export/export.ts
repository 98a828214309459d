// gdpr-export without HTTP: one call of public.export_subject_data (which records the export), as
// its JSON text or as the files of a zip archive.
import type { PostgresApi } from "@supabase/server/middleware/postgres";
import { strToU8, zipSync } from "fflate";
import { z } from "zod";
import { RowId } from "../_shared/schemas.ts";

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

const ArchiveFile = z.object({ path: z.string().min(1), body: z.string(), request_id: RowId, exported_at: z.iso.datetime({ offset: true }) });

export interface ExportFiles {
  requestId: string;
  exportedAt: Date;
  /** Path in the archive to the JSON text of that part. */
  files: Record<string, string>;
}

/**
 * The export cut into the archive's files by the database, each part the text it built. A
 * JSON.parse round trip in the function would change values a stored JSON may hold and a double
 * cannot (20-digit ids, 1e400, 0.1000000000000000000001), and the archive would no longer be the
 * data as held. One call: the export is recorded once.
 */
export async function exportSubjectFiles(db: PostgresApi, subject: ExportSubject): Promise<ExportFiles> {
  const rows = await db.query`
    with export as materialized (
      select public.export_subject_data(${subject.contactId}::uuid, ${subject.identifier}::text, ${subject.ownerId}::uuid) as bundle
    ),
    files as (
      select 'export.json' as path, e.bundle::text as body from export e
      union all
      select format('contacts/%s/%s.json', s.subject ->> 'contact_id', t.key), t.value::text
      from export e, json_array_elements(e.bundle -> 'subjects') as s (subject), json_each(s.subject) as t
      where json_typeof(t.value) = 'array'
      union all
      select format('traces/%s.json', t.key), t.value::text
      from export e, json_each(case when json_typeof(e.bundle -> 'traces') = 'object' then e.bundle -> 'traces' else '{}' end) as t
    )
    select f.path, f.body, e.bundle ->> 'request_id' as request_id, e.bundle ->> 'exported_at' as exported_at
    from files f, export e`;
  const parsed = rows.map((row) => ArchiveFile.parse(row));
  return {
    requestId: parsed[0].request_id,
    exportedAt: new Date(parsed[0].exported_at),
    files: Object.fromEntries(parsed.map((file) => [file.path, file.body])),
  };
}

const README = `Subject access export

export.json       everything below in one document, the JSON answer of gdpr-export as it is
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
export function exportArchive(exported: ExportFiles): Uint8Array<ArrayBuffer> {
  const files: Record<string, Uint8Array> = { "README.txt": strToU8(README) };
  for (const [path, body] of Object.entries(exported.files)) files[path] = strToU8(body);
  return new Uint8Array(zipSync(files, { level: 6, mtime: exported.exportedAt }));
}
