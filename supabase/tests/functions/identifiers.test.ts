// _shared/identifiers.ts without a server: how e-mail addresses and phone numbers are normalized
// before the database matches or hashes them (gdpr-export, gdpr-delete, import-contacts).
import { assertEquals } from "@std/assert/mod.js";
import {
  isCountryCode,
  normalizeChannelIdentifier,
  normalizeEmail,
  normalizeIdentifier,
  normalizePhone,
} from "../../functions/_shared/identifiers.ts";

Deno.test("e-mail addresses are trimmed and lower-cased, and invalid ones refused", () => {
  assertEquals(normalizeEmail("  Ada.Lovelace@Example.COM "), "ada.lovelace@example.com");
  assertEquals(normalizeEmail("ada@localhost"), null);
  assertEquals(normalizeEmail("ada lovelace@example.com"), null);
  assertEquals(normalizeEmail(`${"a".repeat(65)}@example.com`), null);
});

Deno.test("phone numbers become E.164 from international and, with a country, national formats", () => {
  assertEquals(normalizePhone("+44 20 7946 0018"), "+442079460018");
  assertEquals(normalizePhone("0044 (20) 7946-0018"), "+442079460018");
  assertEquals(normalizePhone("020 7946 0018", "GB"), "+442079460018");
  assertEquals(normalizePhone("(415) 555-0100", "US"), "+14155550100");
  assertEquals(normalizePhone("(+44) 20 7946 0018"), "+442079460018", "a country code in brackets");
  assertEquals(normalizePhone("(+49) 171 1234567"), "+491711234567");
  assertEquals(normalizePhone("\u202a+44 20 7946 0018\u202c"), "+442079460018", "direction marks a contacts app copies around a number");
  assertEquals(normalizePhone("\u200e(415) 555-0100", "US"), "+14155550100");
  assertEquals(normalizePhone("07700 900123", "GB"), "+447700900123");
  assertEquals(normalizePhone("020 7946 0018"), null, "a national number without a country is ambiguous");
  assertEquals(normalizePhone("call me"), null);
  assertEquals(normalizePhone("+1 2"), null);
});

Deno.test("a / joining two numbers or another ending is refused, not read as one longer number", () => {
  assertEquals(normalizePhone("+1 415 555 0132 / 204"), null, "was +14155550132204");
  assertEquals(normalizePhone("+44 20 7946 0018 / 19"), null, "was +44207946001819");
  assertEquals(normalizePhone("+33 1 23 45 67 89 / 90"), null);
  assertEquals(normalizePhone("+49 30 1234567 / 89"), "+4930123456789", "valid read on: a German direct dial, the extension dialled after the number");
  assertEquals(normalizePhone("+44 20 7946 0018/+44 20 7946 0019"), null);
  assertEquals(normalizePhone("089/1234567", "DE"), "+49891234567", "a / after an area code, as written in Germany");
  assertEquals(normalizePhone("+49 89 / 1234567"), "+49891234567");
  assertEquals(normalizePhone("+49 (0)6221/123456"), "+496221123456", "the trunk zero and the area code before the /");
  assertEquals(normalizePhone("0049 6221/12345"), "+49622112345");
  assertEquals(normalizePhone("033203/123", "DE"), "+4933203123", "an area code longer than the number after it");
  assertEquals(normalizePhone("+1 (415) 555-0100 x123"), null, "an extension is not part of the number");
});

Deno.test("well-formed E.164 that libphonenumber refuses is taken, but for a known code's too-long number written with separators", () => {
  assertEquals(normalizePhone("+14155550132204"), "+14155550132204", "plain E.164, as SQL stores it");
  assertEquals(normalizePhone(" +44207946001819 "), "+44207946001819");
  assertEquals(normalizePhone("+1 415 555 0132 204"), null, "spelt with separators, a known code's too-long number is refused");
  assertEquals(normalizePhone("+234 1 270 0000"), "+23412700000", "an old or short range libphonenumber finds too short is taken");
  assertEquals(normalizePhone("0014155550132204"), null, "00 is not plain E.164");
  assertEquals(normalizePhone("+999 1234 5678"), "+99912345678", "a calling code libphonenumber does not know");
  assertEquals(normalizePhone("+0 1234 5678"), null, "not E.164 at all");
});

Deno.test("a subject is found by a number stored in plain E.164 that libphonenumber refuses", () => {
  // gdpr-export and gdpr-delete look a subject up by normalizeIdentifier: a number a direct SQL
  // write stored (private.normalize_channel_identifier keeps + and digits) is found as it was stored.
  assertEquals(normalizeIdentifier("+14155550132204"), { kind: "phone", value: "+14155550132204" });
  assertEquals(normalizeIdentifier("+44207946001819"), { kind: "phone", value: "+44207946001819" });
  assertEquals(normalizeIdentifier("+1 415 555 0132 / 204"), null);
});

Deno.test("a subject identifier is an e-mail address or a phone number", () => {
  assertEquals(normalizeIdentifier("ADA@example.com"), { kind: "email", value: "ada@example.com" });
  assertEquals(normalizeIdentifier("+49 151 2345 6363"), { kind: "phone", value: "+4915123456363" });
  assertEquals(normalizeIdentifier("0151 23456363", "DE"), { kind: "phone", value: "+4915123456363" });
  assertEquals(normalizeIdentifier("Ada Lovelace"), null);
});

Deno.test("channel identifiers normalize by channel type, as the channels table stores them", () => {
  assertEquals(normalizeChannelIdentifier("whatsapp", "+33 6 12 34 56 78"), "+33612345678");
  assertEquals(normalizeChannelIdentifier("email", "X@Y.org"), "x@y.org");
  assertEquals(normalizeChannelIdentifier("telegram", "  @Ada_L "), "@ada_l");
  assertEquals(normalizeChannelIdentifier("sms", "not a number"), null);
});

Deno.test("country codes are ISO 3166-1 alpha-2 codes libphonenumber knows", () => {
  assertEquals(isCountryCode("GB"), true);
  assertEquals(isCountryCode("gb"), false);
  assertEquals(isCountryCode("XX"), false);
});
