// zod schemas of import-contacts: the options of an import (from the query string, multipart form
// fields or a JSON body), the Storage reference, the pages of the error report, and the job as the
// progress endpoint shows it.
import { z } from "zod";
import { ChannelType, DecimalNumber, OwnerId, RowId, StorableText } from "../schemas.ts";
import { DefaultCountry } from "./country.ts";

/**
 * Where a CSV column goes: a contact field, a channel type, a custom field, a channel's consent, an
 * opt-out flag (a truthy cell withdraws that channel's consent), or nowhere.
 */
export const ContactField = z.enum(["first_name", "last_name", "display_name", "organization", "job_title", "external_id", "tags"]);
export type ContactField = z.infer<typeof ContactField>;

export const MappingTarget = z.union([
  ContactField,
  ChannelType,
  z.literal("ignore"),
  z.string().regex(/^metadata\.[\p{L}\p{M}\p{N}_-]{1,64}$/u, "metadata.<key>: letters (of any script), digits, _ and - (at most 64)"),
  z.string().regex(/^consent\.(email|phone|sms|whatsapp|telegram|slack|webchat|other)$/, "consent.<channel type>"),
  z.string().regex(/^optout\.(email|phone|sms|whatsapp|telegram|slack|webchat|other)$/, "optout.<channel type>"),
]);
export type MappingTarget = z.infer<typeof MappingTarget>;

export const DedupeKey = z.enum(["email", "phone", "external_id"]);
export const OnDuplicate = z.enum(["skip", "update", "merge_fill_empty"]);
export const ImportEncoding = z.enum(["utf-8", "utf-16le", "utf-16be", "windows-1252", "macintosh"]);
export const ImportDelimiter = z.enum([",", ";", "\t", "|"]);

/** A JSON object given as an object (JSON body) or as its text (query parameter, form field). */
function jsonObject<T extends z.ZodType>(schema: T, message: string) {
  return z.union([
    schema,
    // As long as a form field may be (32 KiB): a mapping of a few hundred columns fits.
    z.string().max(32 * 1024).transform((text, ctx): z.infer<T> => {
      try {
        return schema.parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: "custom", message });
        return z.NEVER;
      }
    }),
  ]);
}

const flag = z.union([z.boolean(), z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1")]);
const MappingObject = z.record(StorableText.min(1).max(255), MappingTarget);
const mapping = jsonObject(MappingObject, "mapping must be a JSON object of CSV header -> target");
/** The consent of every row's channels of a type, for lists that are one decision (an unsubscribe export). */
const FileConsent = z.partialRecord(ChannelType, z.enum(["granted", "withdrawn"]));
const consent = jsonObject(FileConsent, 'consent must be a JSON object of channel type -> "granted" or "withdrawn"');

/** Other names of the encodings, as TextDecoder and Excel's menus spell them. */
const ENCODING_ALIASES: Record<string, string> = {
  utf8: "utf-8", "utf-16": "utf-16le", latin1: "windows-1252", "iso-8859-1": "windows-1252", cp1252: "windows-1252",
  mac: "macintosh", macroman: "macintosh", "mac-roman": "macintosh", "x-mac-roman": "macintosh", csmacintosh: "macintosh",
};

/** Options of an import. Query parameters and form fields arrive as strings, hence the coercions. */
export const ImportOptions = z.strictObject({
  /** The service names the owner it imports for; owners import for themselves. */
  owner_id: OwnerId.optional(),
  file_name: StorableText.trim().min(1).max(255).optional(),
  mapping: mapping.optional(),
  consent: consent.optional(),
  delimiter: ImportDelimiter.optional(),
  encoding: z.string().trim().toLowerCase()
    .transform((v) => Object.hasOwn(ENCODING_ALIASES, v) ? ENCODING_ALIASES[v] : v)
    .pipe(ImportEncoding).optional(),
  /** The line (1-based, as the file's lines are numbered) the header is on; the lines before it are no rows. */
  header_row: DecimalNumber.pipe(z.int().min(1)).optional(),
  dedupe_key: DedupeKey.default("email"),
  on_duplicate: OnDuplicate.default("skip"),
  default_country: DefaultCountry.optional(),
  group_id: RowId.optional(),
  dry_run: flag.default(false),
  force: flag.default(false),
  /** Lower (never raise) the row and size limits for this import. */
  max_rows: DecimalNumber.pipe(z.int().min(1)).optional(),
  max_bytes: DecimalNumber.pipe(z.int().min(1)).optional(),
});
export type ImportOptions = z.infer<typeof ImportOptions>;

/** A file already in Storage. */
export const StorageReference = z.strictObject({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
  path: z.string().min(1).max(1024),
});

/**
 * POST application/json: { storage: { bucket, path }, ...options }. The options are read together
 * with the query string's (ImportOptions), so here they are only passed through.
 */
export const StorageImportRequest = z.looseObject({ storage: StorageReference });

export const JobPath = z.object({ id: RowId });

/**
 * A position in an error report, whose lines are ordered by row number, then id (a job resumed
 * after failing at its header has two lines 1). Ids are bigints, kept as text.
 */
export interface ErrorsCursor {
  row: string;
  id: string;
}

export const REPORT_START: ErrorsCursor = { row: "0", id: "0" };

/** `next_after` of the previous page ("<row>:<id>"); a row number alone means after every line of that row. */
const ErrorsAfter = z.string().regex(/^\d{1,18}(:\d{1,18})?$/, "next_after of the previous page, or a row number")
  .transform((text): ErrorsCursor => {
    const [row, id] = text.split(":");
    return { row, id: id ?? "9223372036854775807" };
  });

/**
 * The job routes' query: the service may name the owner it acts for, and then reaches only that
 * owner's jobs; an owner may name only themselves.
 */
export const JobQuery = z.strictObject({ owner_id: OwnerId.optional() });

export const ErrorsQuery = JobQuery.extend({
  format: z.enum(["json", "csv"]).default("json"),
  /** JSON pages: where the page starts. */
  after: ErrorsAfter.default(REPORT_START),
  limit: DecimalNumber.pipe(z.int().min(1).max(10_000)).default(1000),
});

/** The position after `cursor` as a page's `next_after` gives it. */
export const afterOf = (cursor: ErrorsCursor) => `${cursor.row}:${cursor.id}`;

export const ImportErrorRow = z.object({
  row_number: z.number().int().positive(),
  column_name: z.string().nullable(),
  value_excerpt: z.string().nullable(),
  reason: z.string(),
});
export type ImportErrorRow = z.infer<typeof ImportErrorRow>;

export const ImportJobStatus = z.enum(["pending", "processing", "completed", "failed", "cancelled"]);

export const ImportJob = z.object({
  id: RowId,
  status: ImportJobStatus,
  file_name: z.string(),
  file_size_bytes: z.number().nullable(),
  file_sha256: z.string().nullable(),
  source: z.enum(["upload", "storage"]),
  dry_run: z.boolean(),
  options: z.record(z.string(), z.unknown()),
  encoding: z.string().nullable(),
  delimiter: z.string().nullable(),
  total_rows: z.number().nullable(),
  processed_rows: z.number(),
  created: z.number(),
  updated: z.number(),
  skipped: z.number(),
  failed: z.number(),
  percent: z.number(),
  error_summary: z.string().nullable(),
  slices: z.number(),
  slice_stats: z.record(z.string(), z.unknown()),
  dry_run_report: z.unknown().nullable(),
  /** Where each column of the header went (null until the header is read). */
  columns: z.array(z.object({ position: z.number(), header: z.string(), target: z.string() })).nullable(),
  undone_at: z.string().nullable(),
  undo_summary: z.unknown().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
});
export type ImportJob = z.infer<typeof ImportJob>;
