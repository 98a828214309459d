// Opaque keyset cursors: the position is signed (HMAC-SHA-256) and bound to the query it pages, so
// a cursor that was edited, or reused for another query, is refused with 400 instead of paging
// somewhere unexpected.
import { decodeBase64Url, encodeBase64Url } from "@std/encoding/base64url.js";
import { z } from "zod";
import { HttpError } from "./http.ts";
import { secretKey } from "./secret-key.ts";

const encoder = new TextEncoder();

/** The key signing cursors: CURSOR_SECRET when set, else the project's default secret key. */
function signingSecret(): string {
  return Deno.env.get("CURSOR_SECRET") || secretKey("to sign cursors with (or set CURSOR_SECRET)");
}

const hmacKey = () =>
  crypto.subtle.importKey("raw", encoder.encode(signingSecret()), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);

/** A stable fingerprint of what a cursor pages: the caller and the query's parameters. */
export async function bindingOf(parts: unknown): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(JSON.stringify(parts)));
  return encodeBase64Url(new Uint8Array(digest));
}

export async function sealCursor(position: unknown, binding: string): Promise<string> {
  const payload = encodeBase64Url(encoder.encode(JSON.stringify({ p: position, b: binding })));
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(), encoder.encode(payload));
  return `${payload}.${encodeBase64Url(new Uint8Array(signature))}`;
}

const invalidCursor = () =>
  new HttpError(400, "invalid_cursor", "The cursor is invalid, was altered, or belongs to another query");

export async function openCursor<S extends z.ZodType>(token: string, binding: string, position: S): Promise<z.output<S>> {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) throw invalidCursor();
  let valid = false;
  let decoded: unknown;
  try {
    valid = await crypto.subtle.verify("HMAC", await hmacKey(), decodeBase64Url(signature), encoder.encode(payload));
    decoded = JSON.parse(new TextDecoder().decode(decodeBase64Url(payload)));
  } catch {
    throw invalidCursor();
  }
  const envelope = z.object({ p: position, b: z.literal(binding) }).safeParse(decoded);
  if (!valid || !envelope.success) throw invalidCursor();
  return (envelope.data as { p: z.output<S> }).p;
}
