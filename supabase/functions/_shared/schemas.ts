// Reading request input through zod: unparsable JSON is a 400, input that parses but breaks the
// schema is a 422 with zod's issues in `details`. Handlers only ever see the schema's output.
import { z } from "zod";
import { HttpError, readBody } from "./http.ts";

export const DEFAULT_JSON_LIMIT = 64 * 1024;

export interface ValidationIssue {
  path: string;
  code: string;
  message: string;
}

/** The 422 every invalid input gets, zod's or a check of our own, with the issues in `details`. */
export function validationFailed(issues: ValidationIssue[]): HttpError {
  return new HttpError(422, "validation_failed", "The request does not match the expected shape", { issues });
}

export function validationError(error: z.ZodError): HttpError {
  return validationFailed(error.issues.map((issue) => ({ path: issue.path.join("."), code: issue.code, message: issue.message })));
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

export interface JsonBodyOptions {
  /** What an empty body stands for, whatever its content type (none: an empty body is malformed JSON). */
  emptyBody?: unknown;
}

export async function parseJson<S extends z.ZodType>(
  req: Request,
  schema: S,
  maxBytes = DEFAULT_JSON_LIMIT,
  options: JsonBodyOptions = {},
): Promise<z.output<S>> {
  const contentType = req.headers.get("content-type") ?? "";
  const isJson = /^application\/([\w.+-]+\+)?json\b/i.test(contentType);
  const unsupported = () =>
    new HttpError(415, "unsupported_media_type", "Send the body as application/json", { content_type: contentType || null });
  if (!isJson && options.emptyBody === undefined) throw unsupported();
  const bytes = await readBody(req, maxBytes);
  if (bytes.length === 0 && options.emptyBody !== undefined) return parseWith(schema, options.emptyBody);
  if (!isJson) throw unsupported();
  let value: unknown;
  // zod drops a "__proto__" key inside a record without a word; every other unknown key is refused.
  let prototypeKey = false;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes), (key, item) => {
      if (key === "__proto__") prototypeKey = true;
      return item;
    });
  } catch {
    throw new HttpError(400, "malformed_json", "The request body is not valid JSON");
  }
  if (prototypeKey) throw validationFailed([{ path: "", code: "unrecognized_keys", message: 'Unrecognized key: "__proto__"' }]);
  return parseWith(schema, value);
}

/**
 * A request's query parameters for a function to read. supabase-js adds forceFunctionRegion when a
 * client names a region: it routes the call on the platform and is not the function's to validate.
 */
export function queryParams(url: URL): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key === "forceFunctionRegion") continue;
    // One value a key: a repeated one would otherwise be answered for its last value alone.
    if (Object.hasOwn(params, key)) throw validationFailed([{ path: key, code: "custom", message: "given more than once" }]);
    params[key] = value;
  }
  return params;
}

/** The query of a request that takes none: an instruction in it is refused, not silently dropped. */
export const NoQuery = z.strictObject({});

export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return parseWith(schema, queryParams(new URL(req.url)));
}

// ---------------------------------------------------------------------------------------------
// Shared vocabulary of the data model (mirrors the check constraints of the migrations).

/**
 * A row's id as PostgreSQL's uuid type takes it: any 8-4-4-4-12 hex. The ids the database makes are
 * RFC 9562 version 4, but rows written by other systems or by SQL (`md5(...)::uuid`, imported
 * keys) carry others, and zod's uuid(), which only takes RFC 9562 ones, would leave them unnamable.
 */
export const RowId = z.guid();

/** Text as Postgres stores it: text and jsonb refuse U+0000, so it is bad input, refused here. */
export const StorableText = z.string().refine((value) => !value.includes("\u0000"), "must not contain the NUL character (U+0000)");

/**
 * A number from a query string or form field (or a JSON number): decimal digits only. z.coerce
 * reads "" and " " as 0 and "0x1" as 1, so an empty or odd value passed for a number.
 */
export const DecimalNumber = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/, "a decimal number").transform(Number)]);

/** An owner's id as tokens and the database spell it (lower case), however the caller wrote it. */
export const OwnerId = RowId.transform((id) => id.toLowerCase());

export const ChannelType = z.enum(["email", "phone", "sms", "whatsapp", "telegram", "slack", "webchat", "other"]);
export type ChannelType = z.infer<typeof ChannelType>;

// ---------------------------------------------------------------------------------------------
// agent-contact-search

export const AgentSearchRequest = z.strictObject({
  agent_id: RowId,
  // Counted as the database counts it, in NFC: a character NFC writes as two would otherwise pass
  // here and be refused there with another answer.
  query: StorableText.trim().transform((query) => query.normalize("NFC")).pipe(z.string().min(1).max(200)),
  channel_types: z.array(ChannelType).min(1).max(8).optional(),
  group_id: RowId.optional(),
  limit: z.int().min(1).max(100).default(20),
  // A response's next_cursor as it came; null or none asks for the first page. It carries the last
  // row's names: up to 800 characters of UTF-8, in base64url.
  cursor: z.string().min(1).max(8192).nullish(),
});
export type AgentSearchRequest = z.infer<typeof AgentSearchRequest>;

export const MatchReason = z.enum(["exact_identifier", "phone_suffix", "name_prefix", "full_text", "trigram"]);

export const AgentSearchResult = z.object({
  contact_id: RowId,
  display_name: z.string(),
  organization: z.string().nullable(),
  channels: z.array(z.object({
    id: RowId,
    channel_type: ChannelType,
    identifier: z.string(),
    is_primary: z.boolean(),
    consent_status: z.enum(["unknown", "granted", "withdrawn"]),
    /** Whether this agent may message the contact on this channel now (message grant and consent not withdrawn). */
    can_message: z.boolean(),
  })),
  score: z.number(),
  match_reason: MatchReason,
});
export type AgentSearchResult = z.infer<typeof AgentSearchResult>;

export const AgentSearchResponse = z.object({
  results: z.array(AgentSearchResult),
  next_cursor: z.string().nullable(),
});
export type AgentSearchResponse = z.infer<typeof AgentSearchResponse>;

export const ErrorResponse = z.object({ code: z.string(), message: z.string(), details: z.unknown() });
