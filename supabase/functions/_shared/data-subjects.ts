// What gdpr-export and gdpr-delete share: whose data a request is about (explicit owner scoping for
// service callers) and the subject's identifier in its matching form.
import type { Caller } from "./auth.ts";
import { HttpError } from "./http.ts";
import { type CountryCode, normalizeIdentifier } from "./identifiers.ts";
import { validationFailed } from "./schemas.ts";

const invalid = (path: string, message: string) => validationFailed([{ path, code: "custom", message }]);

/**
 * The owner_id to pass to SQL: null for owners (SQL takes the token's user, and RLS applies), the
 * named owner for the service, whose admin connection bypasses RLS and so must scope every
 * statement by it. Agent tokens never get here (403 before).
 */
export function ownerScope(caller: Caller, ownerId: string | undefined): string | null {
  if (caller.kind === "service") {
    if (!ownerId) throw invalid("owner_id", "the service must name the owner the request is for (owner_id)");
    return ownerId;
  }
  if (ownerId !== undefined && ownerId !== caller.userId) {
    throw new HttpError(403, "forbidden", "owner_id may only name another owner when the service calls");
  }
  return null;
}

/** The identifier in the form SQL matches (lower-cased e-mail, E.164 phone), or a 422 saying why not. */
export function subjectIdentifier(identifier: string | undefined, defaultCountry: string | undefined, path = "identifier"): string | null {
  if (identifier === undefined) return null;
  const normalized = normalizeIdentifier(identifier, defaultCountry as CountryCode | undefined);
  if (!normalized) {
    throw invalid(path, "not an e-mail address or a phone number (a number in a national format needs default_country)");
  }
  return normalized.value;
}
