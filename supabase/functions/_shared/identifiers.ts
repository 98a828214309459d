// Personal identifiers in the one form the database matches and hashes them in: e-mail addresses
// trimmed and lower-cased, phone numbers in E.164 (libphonenumber-js, so national formats work
// given a country). SQL normalizes what it can (private.normalize_channel_identifier keeps + and
// digits): national numbers need the country, which only callers know, and SQL takes any spelling
// of well-formed E.164 where this module refuses some (normalizePhone): a number written so is
// matched here in its plain E.164 form. Shared by gdpr-export, gdpr-delete and import-contacts.
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString, validatePhoneNumberLength } from "libphonenumber-js";

export type { CountryCode };
export type IdentifierKind = "email" | "phone";

export interface NormalizedIdentifier {
  kind: IdentifierKind;
  /** Lower-cased e-mail address, or an E.164 phone number. */
  value: string;
}

// The same rule as public.is_valid_email: RFC 5321 lengths, a dot-atom local part, a domain with a TLD.
const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
// The same rule as public.is_valid_e164_phone.
const E164 = /^\+[1-9][0-9]{6,14}$/;

/** True for an ISO 3166-1 alpha-2 code libphonenumber knows ("GB", "US", ...). */
export function isCountryCode(value: string): value is CountryCode {
  return /^[A-Z]{2}$/.test(value) && isSupportedCountry(value);
}

/** The matching form of an e-mail address, or null when it is not one. */
export function normalizeEmail(input: string): string | null {
  const email = input.trim().toLowerCase();
  return email.length <= 254 && EMAIL.test(email) && email.split("@")[0].length <= 64 ? email : null;
}

/** Unicode's invisible direction marks, embeddings and isolates (LRM, RLM, U+202A-U+202E, U+2066-U+2069). */
const DIRECTION_MARKS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A phone number in E.164, or null when it cannot be one. International input (+44 ..., 0044 ...)
 * needs no country; national input ("020 7946 0018", "(415) 555-0100") needs `defaultCountry`.
 * Numbers are accepted when their length is possible for their country (not only numbers of
 * allocated ranges): the channels table stores any well-formed E.164 number, and a subject must be
 * found by the number it was stored under. Beyond what libphonenumber accepts (an old or short
 * range, "+234 1 270 0000", a calling code it does not know), a well-formed E.164 number is taken
 * as its digits, unless it is too long for its country and written with separators: joined from
 * "+1 415 555 0132 204" it would be another number than the file meant (written as plain E.164,
 * "+14155550132204", it is the form SQL stores, and stays findable).
 */
export function normalizePhone(input: string, defaultCountry?: CountryCode): string | null {
  // Without the direction marks a phone's contacts app puts around a number it copies.
  const trimmed = input.replace(DIRECTION_MARKS, "").trim();
  // The country code may stand in brackets, "(+49) 171 1234567", as European sheets write it.
  if (!/^\(?\+?[0-9\s().\-/]+$/.test(trimmed) || !slashSeparatesAreaCode(trimmed, defaultCountry)) return null;
  const international = trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : trimmed;
  const parsed = parsePhoneNumberFromString(international, defaultCountry ? { defaultCountry } : undefined);
  if (parsed?.isPossible() && E164.test(parsed.number)) return parsed.number;
  const digits = international.replace(/[\s().\-/]/g, "");
  if (!international.startsWith("+") || !E164.test(digits)) return null;
  return trimmed === digits || validatePhoneNumberLength(digits) !== "TOO_LONG" ? digits : null;
}

/**
 * Whether the slashes of a number leave it one number: a / after an area code ("089/1234567",
 * "+49 (0)6221/123456", as written in Germany), where the digits read on make a valid number or
 * what comes before the / is no number on its own. After a whole number, a / joins a second one or
 * another ending ("+44 20 7946 0018 / 19"), which libphonenumber would read as one longer number.
 */
export function slashSeparatesAreaCode(text: string, defaultCountry?: CountryCode): boolean {
  const parts = text.split("/");
  if (parts.length === 1) return true;
  if (parts.length > 2) return false;
  const parse = (part: string) => {
    const trimmed = part.trim();
    return parsePhoneNumberFromString(trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : trimmed, defaultCountry ? { defaultCountry } : undefined);
  };
  return parse(parts.join(" "))?.isValid() === true || !parse(parts[0])?.isPossible();
}

/** An identifier a data subject gives: an e-mail address or a phone number, in any format. */
export function normalizeIdentifier(input: string, defaultCountry?: CountryCode): NormalizedIdentifier | null {
  if (input.includes("@")) {
    const email = normalizeEmail(input);
    return email ? { kind: "email", value: email } : null;
  }
  const phone = normalizePhone(input, defaultCountry);
  return phone ? { kind: "phone", value: phone } : null;
}

/**
 * The normalized identifier of a channel as the channels table stores it: e-mail and phone types
 * as above (null when invalid), other types (handles) trimmed and lower-cased.
 */
export function normalizeChannelIdentifier(channelType: string, input: string, defaultCountry?: CountryCode): string | null {
  switch (channelType) {
    case "email":
      return normalizeEmail(input);
    case "phone":
    case "sms":
    case "whatsapp":
      return normalizePhone(input, defaultCountry);
    default: {
      const handle = input.trim().toLowerCase();
      return handle.length > 0 && handle.length <= 320 ? handle : null;
    }
  }
}
