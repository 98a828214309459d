// A default country for reading national phone numbers: one libphonenumber knows, not just any two
// letters (with an unknown one every national number would fail). Shared by every function that
// normalizes phone numbers.
import { z } from "zod";
import { isCountryCode } from "../identifiers.ts";

export const DefaultCountry = z.string().trim().toUpperCase().refine(isCountryCode, "an ISO 3166-1 alpha-2 country code, e.g. GB");
