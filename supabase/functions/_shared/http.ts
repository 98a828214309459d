// HTTP plumbing shared by every function: one error type thrown from any depth, one place that
// turns it into the flat `{ code, message, details }` body @supabase/server uses for its own errors.
import { SupabaseServerError } from "@supabase/server";
import { LimitedBytesTransformStream } from "@std/streams/limited_bytes_transform_stream.js";
import { toBytes } from "@std/streams/to_bytes.js";

/** Stable, snake_case error codes of this project (clients switch on them). */
export type ErrorCode =
  | "bad_request"
  | "malformed_json"
  | "unsupported_media_type"
  | "validation_failed"
  | "invalid_cursor"
  | "invalid_token"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  | "service_unavailable"
  | "internal_error";

export interface ErrorBody {
  code: string;
  message: string;
  details: unknown;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = null,
    options: { cause?: unknown; headers?: HeadersInit } = {},
  ) {
    super(message, { cause: options.cause });
    this.headers = new Headers(options.headers);
  }

  readonly headers: Headers;

  toResponse(): Response {
    const body: ErrorBody = { code: this.code, message: this.message, details: this.details };
    return Response.json(body, { status: this.status, headers: this.headers });
  }
}

export interface RequestContext {
  fn: string;
  req: Request;
}

/**
 * Any failure as a response. HttpError and the library's own errors keep their status and code;
 * anything else is logged with context and answered with a generic 500, so nothing internal leaks.
 */
export function errorResponse(error: unknown, context: RequestContext): Response {
  if (error instanceof HttpError) return error.toResponse();
  if (error instanceof SupabaseServerError) {
    const body: ErrorBody = { code: error.code, message: error.message, details: error.details ?? null };
    return Response.json(body, { status: error.status });
  }
  console.error(JSON.stringify({
    level: "error",
    fn: context.fn,
    method: context.req.method,
    path: new URL(context.req.url).pathname,
    error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
  }));
  return new HttpError(500, "internal_error", "Internal Server Error").toResponse();
}

/**
 * The library answers auth failures itself with `{ source, code, message, hint, docs, details }`;
 * clients of this project get one shape, so those answers are narrowed to `{ code, message, details }`.
 */
export async function normalizeLibraryError(response: Response): Promise<Response> {
  if (!response.headers.has("x-supabase-server-error")) return response;
  const body = await response.json() as Partial<ErrorBody>;
  // withPostgresClient refuses, before our caller check runs, a verified token whose role it will
  // not assume (service_role, a custom role): no signed-in user, the caller's fault, not an outage.
  if (body.code === "UNSUPPORTED_ROLE") {
    return new HttpError(401, "invalid_token", "The token does not identify a signed-in user").toResponse();
  }
  const flat: ErrorBody = {
    code: body.code ?? response.headers.get("x-supabase-server-error") ?? "unauthorized",
    message: body.message ?? response.statusText,
    details: body.details ?? null,
  };
  return Response.json(flat, { status: response.status, headers: response.headers });
}

export function assertMethod(req: Request, allowed: readonly string[]): void {
  if (!allowed.includes(req.method)) {
    throw new HttpError(405, "method_not_allowed", `Method ${req.method} is not allowed here`, { allowed }, {
      headers: { Allow: allowed.join(", ") },
    });
  }
}

/** Refuses a body larger than `maxBytes` from its Content-Length, before anything reads it. */
export function assertDeclaredSize(req: Request, maxBytes: number, subject?: string): void {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw payloadTooLarge(maxBytes, "bytes", subject);
}

/**
 * The whole body, never more than `maxBytes` of it: refused from its Content-Length at once, else
 * as soon as the bytes read pass the limit (a chunked body declares no size), so a huge body is
 * never read whole to find out it is too large.
 */
export async function readBody(req: Request, maxBytes: number): Promise<Uint8Array> {
  assertDeclaredSize(req, maxBytes);
  if (!req.body) return new Uint8Array(0);
  try {
    return await toBytes(req.body.pipeThrough(new LimitedBytesTransformStream(maxBytes, { error: true })));
  } catch (error) {
    // The limiter's error; piping cancels the rest of the body.
    if (error instanceof RangeError) throw payloadTooLarge(maxBytes);
    throw error;
  }
}

/** 413: a body over its limit, in bytes (the default) or, for a file, in rows. */
export const payloadTooLarge = (max: number, unit: "bytes" | "rows" = "bytes", subject = "The request body") =>
  new HttpError(413, "payload_too_large", `${subject} ${unit === "bytes" ? "is larger than" : "has more than"} ${max} ${unit}`, {
    [`max_${unit}`]: max,
  });
