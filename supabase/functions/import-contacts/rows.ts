// CSV rows as contacts, without HTTP or SQL: which column goes where (the header, explicit mapping
// or well-known names), and each row validated with zod and normalized (trimmed text, lower-cased
// e-mails, E.164 phones through the shared identifier rules; cells of several values split) into
// the shape the batch SQL takes, or refused with a reason for the error report. Duplicates and
// identifier clashes between rows are the database's to settle (private.import_settle_batch),
// which alone knows which rows it fails.
import { z } from "zod";
import Papa from "papaparse";
import { type CountryCode, normalizeChannelIdentifier, slashSeparatesAreaCode } from "../_shared/identifiers.ts";
import type { ChannelType } from "../_shared/schemas.ts";
import type { ContactField, ImportOptions, MappingTarget } from "../_shared/schemas/import.ts";

export type Target =
  | { kind: "field"; field: ContactField }
  | { kind: "channel"; type: ChannelType }
  | { kind: "metadata"; key: string }
  | { kind: "consent"; type: ChannelType }
  | { kind: "optout"; type: ChannelType }
  | { kind: "ignore" };

export interface Column {
  index: number;
  header: string;
  target: Target;
}

/**
 * Well-known header names (as aliasKey gives them) and where they go: the plain names, and those of
 * the exports people bring (Google Contacts, Outlook, HubSpot, Thunderbird, Salesforce, LinkedIn,
 * Excel sheets in German and French). A number in a channel's name is dropped before it is looked
 * up (see aliasOf), so "E-mail 2 - Value" is emailvalue here.
 */
const ALIASES: Record<string, MappingTarget> = {
  firstname: "first_name", first: "first_name", givenname: "first_name", forename: "first_name", vorname: "first_name",
  prenom: "first_name",
  lastname: "last_name", last: "last_name", surname: "last_name", familyname: "last_name", nachname: "last_name", nom: "last_name",
  name: "display_name", fullname: "display_name", displayname: "display_name", contactname: "display_name",
  company: "organization", companyname: "organization", organization: "organization", organisation: "organization",
  org: "organization", employer: "organization", organizationname: "organization", organization1name: "organization",
  accountname: "organization", firma: "organization", unternehmen: "organization", societe: "organization", entreprise: "organization",
  jobtitle: "job_title", position: "job_title", role: "job_title", organizationtitle: "job_title", organization1title: "job_title",
  fonction: "job_title",
  externalid: "external_id", crmid: "external_id", customerid: "external_id", recordid: "external_id", contactid: "external_id",
  kundennummer: "external_id",
  tags: "tags", labels: "tags",
  email: "email", emailaddress: "email", mail: "email", workemail: "email", emailvalue: "email", primaryemail: "email",
  secondaryemail: "email", courriel: "email", adresseemail: "email",
  phone: "phone", phonenumber: "phone", telephone: "phone", tel: "phone", mobile: "phone", mobilephone: "phone",
  cell: "phone", cellphone: "phone", phonevalue: "phone", mobilephonenumber: "phone", mobilenumber: "phone", homephone: "phone",
  businessphone: "phone", workphone: "phone", otherphone: "phone", primaryphone: "phone", telefon: "phone", mobil: "phone",
  mobiltelefon: "phone", handy: "phone", portable: "phone",
  // Outlook's exports in German and French ("E-Mail-Adresse", "E-Mail 2: Adresse", "Telefon
  // geschäftlich", "Adresse de messagerie", "Téléphone bureau", "Tél. mobile").
  emailadresse: "email", adressedemessagerie: "email", telefongeschaftlich: "phone", telefonprivat: "phone",
  telefonbuero: "phone", telefonburo: "phone", telephonebureau: "phone", telephonedomicile: "phone", telmobile: "phone",
  sms: "sms", whatsapp: "whatsapp", telegram: "telegram", slack: "slack",
  emailconsent: "consent.email", consentemail: "consent.email", phoneconsent: "consent.phone",
  smsconsent: "consent.sms", whatsappconsent: "consent.whatsapp",
};

/**
 * Opt-out flags of CRM and mailing-list exports (Salesforce HasOptedOutOfEmail and DoNotCall,
 * HubSpot "Unsubscribed from all email", Mailchimp's UNSUB_TIME), keyed as ALIASES are. Do Not
 * Call is about calls: it says nothing of text messages, which have flags of their own.
 */
const OPT_OUT_ALIASES: Record<string, MappingTarget> = {
  hasoptedoutofemail: "optout.email", emailoptout: "optout.email", optedoutofemail: "optout.email",
  donotemail: "optout.email", unsubscribed: "optout.email", unsubscribedfromallemail: "optout.email",
  unsubtime: "optout.email",
  donotcall: "optout.phone",
  hasoptedoutofsms: "optout.sms", smsoptout: "optout.sms", optedoutofsms: "optout.sms", donotsms: "optout.sms",
  donottext: "optout.sms",
};

/**
 * Names that mean a field only when no other column does, else they are custom fields: Outlook's
 * "Title" is the salutation beside its "Job Title", and a bare "Id" is Salesforce's record id,
 * but any sheet's row number beside a "Record ID" or "Customer ID".
 */
const WEAK_ALIASES: Record<string, ContactField> = { title: "job_title", id: "external_id" };

/**
 * A header as well-known names are looked up: accents dropped (Prénom: prenom, Société: societe),
 * lower case, letters and digits only. Custom field keys are metadataKey's, not this.
 */
export const aliasKey = (header: string) => header.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * The well-known target of an alias key, if any. A channel may come numbered ("E-mail 2 - Value",
 * "E-mail 3 Address", "Home Phone 2"): each such column is one more channel of that type. Fields
 * are not numbered, so "Address 1 - Street" or "Custom 1" stay custom fields.
 */
export function aliasOf(key: string): MappingTarget | undefined {
  if (Object.hasOwn(ALIASES, key)) return ALIASES[key];
  if (Object.hasOwn(OPT_OUT_ALIASES, key)) return OPT_OUT_ALIASES[key];
  const unnumbered = key.replace(/[0-9]+/g, "");
  return Object.hasOwn(ALIASES, unnumbered) && toTarget(ALIASES[unnumbered]).kind === "channel" ? ALIASES[unnumbered] : undefined;
}

export class HeaderError extends Error {
  constructor(readonly code: string, message: string, readonly column: string | null = null) {
    super(`${code}: ${message}`);
  }
}

/**
 * The custom field key of a header. Latin letters lose their accents and keep to a-z (Città: citta,
 * Straße: stra_e); the letters of other scripts stay as they are (Имя: имя, 会社: 会社); anything
 * else between them becomes one _. At most 64 characters, never half of one.
 */
const metadataKey = (header: string) =>
  Array.from(
    header.normalize("NFKD").replace(/(?<=\p{Script=Latin})\p{M}+/gu, "").normalize("NFC").toLowerCase()
      .replace(/(?:(?![a-z])\p{Script=Latin}|[^\p{L}\p{M}\p{N}])+/gu, "_").replace(/^_+|_+$/g, ""),
  ).slice(0, 64).join("") || "column";

function toTarget(target: MappingTarget): Target {
  if (target === "ignore") return { kind: "ignore" };
  if (target.startsWith("metadata.")) return { kind: "metadata", key: target.slice(9) };
  if (target.startsWith("consent.")) return { kind: "consent", type: target.slice(8) as ChannelType };
  if (target.startsWith("optout.")) return { kind: "optout", type: target.slice(7) as ChannelType };
  if (["first_name", "last_name", "display_name", "organization", "job_title", "external_id", "tags"].includes(target)) {
    return { kind: "field", field: target as ContactField };
  }
  return { kind: "channel", type: target as ChannelType };
}

/** The name of a header cell as the file gives it: a BOM and surrounding blanks are no part of it. */
const headerName = (cell: string) => cell.replace(/^\uFEFF/, "").trim();

/**
 * The key (and error report name) of column `index` when its header cell is empty, as Excel
 * leaves trailing columns: such a column is no reason to refuse a file, and a value under it is
 * kept rather than dropped. By position, so two unnamed columns never share one, and with a suffix
 * when a named column's custom field already has that key ("Column 3" is column_3).
 */
function unnamedKey(index: number, taken: ReadonlySet<string>): string {
  let key = `column_${index + 1}`;
  for (let suffix = 2; taken.has(key); suffix++) key = `column_${index + 1}_${suffix}`;
  return key;
}

/**
 * Where each column goes, without judging the header: an explicit mapping first, then well-known
 * names (weak ones only when no other column takes their field), else a custom field in metadata.
 */
export function resolveColumns(header: string[], mapping: Record<string, MappingTarget> = {}): Column[] {
  const names = header.map(headerName);
  const explicit = new Map(Object.entries(mapping).map(([k, v]) => [k.trim().toLowerCase(), v]));
  const named = new Set(names.filter((name) => name !== "").map(metadataKey));
  const resolved = names.map((name, index) => {
    if (name === "") {
      const key = unnamedKey(index, named);
      return { column: { index, header: key, target: { kind: "metadata", key } } as Column, weak: false };
    }
    const given = explicit.get(name.toLowerCase());
    const key = aliasKey(name);
    const alias = given ?? aliasOf(key);
    const weak = !alias && Object.hasOwn(WEAK_ALIASES, key);
    const target = alias ? toTarget(alias) : weak ? toTarget(WEAK_ALIASES[key]) : { kind: "metadata" as const, key: metadataKey(name) };
    return { column: { index, header: name, target }, weak };
  });
  const taken = new Set(resolved.flatMap(({ column: { target }, weak }) => !weak && target.kind === "field" ? [target.field] : []));
  return resolved.map(({ column, weak }) =>
    weak && column.target.kind === "field" && taken.has(column.target.field)
      ? { ...column, target: { kind: "metadata", key: metadataKey(column.header) } }
      : column
  );
}

/** A column's target as a mapping names it (first_name, email, metadata.city, consent.email, optout.email, ignore). */
export function targetName(target: Target): string {
  switch (target.kind) {
    case "field":
      return target.field;
    case "channel":
      return target.type;
    case "metadata":
      return `metadata.${target.key}`;
    case "consent":
    case "optout":
      return `${target.kind}.${target.type}`;
    case "ignore":
      return "ignore";
  }
}

/** The columns of a header, refused when the file cannot be read by them (see resolveColumns). */
export function mapHeader(header: string[], options: Pick<ImportOptions, "mapping" | "dedupe_key">): Column[] {
  const names = header.map(headerName);
  if (names.length === 0 || names.every((n) => n === "")) throw new HeaderError("missing_header", "the file has no header row");
  const seen = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (name === "") continue;
    if (seen.has(key)) throw new HeaderError("duplicate_header", `the column "${name}" appears twice`, name);
    seen.add(key);
  }
  const mapping = options.mapping ?? {};
  for (const key of Object.keys(mapping)) {
    if (!seen.has(key.trim().toLowerCase())) throw new HeaderError("unknown_column", `the mapping names "${key}", which is not in the header`, key);
  }
  const columns = resolveColumns(header, mapping);
  const single = new Map<string, string>();
  for (const column of columns) {
    const slot = column.target.kind === "field" ? column.target.field
      : column.target.kind === "metadata" ? `metadata.${column.target.key}`
      : column.target.kind === "consent" ? `consent.${column.target.type}` : null;
    if (!slot) continue;
    if (single.has(slot)) {
      throw new HeaderError("duplicate_mapping", `"${single.get(slot)}" and "${column.header}" both map to ${slot}`, column.header);
    }
    single.set(slot, column.header);
  }
  const keyPresent = columns.some((c) =>
    options.dedupe_key === "external_id" ? c.target.kind === "field" && c.target.field === "external_id"
      : options.dedupe_key === "phone" ? c.target.kind === "channel" && PHONE_TYPES.includes(c.target.type)
      : c.target.kind === "channel" && c.target.type === "email"
  );
  if (!keyPresent) {
    throw new HeaderError("missing_required_column", `no column holds the dedupe key (${options.dedupe_key}); map one or choose another dedupe_key`);
  }
  return columns;
}

/** The channel types that carry a phone number; the phone key matches a number across all of them. */
const PHONE_TYPES: readonly string[] = ["phone", "sms", "whatsapp"];

/** Whether a row has nothing a new contact could be named by: no name, organization or identifier. */
const nameless = (row: ImportRow) =>
  !row.display_name && !row.first_name && !row.last_name && !row.organization && row.channels.length === 0;

/** A row as the batch SQL takes it (private.contact_import_row). */
export interface ImportRow {
  n: number;
  k: string | null;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  organization: string | null;
  job_title: string | null;
  external_id: string | null;
  xcol: string | null;
  tags: string[] | null;
  metadata: Record<string, string> | null;
  channels: { t: ChannelType; v: string; nv: string; p: boolean; c: "granted" | "withdrawn" | null; col: string }[];
}

export interface RowFailure {
  row_number: number;
  column_name: string | null;
  value_excerpt: string | null;
  reason: string;
  outcome: "fail" | "skip";
}

const LIMITS: Record<ContactField, number> = {
  first_name: 200, last_name: 200, display_name: 500, organization: 300, job_title: 300, external_id: 255, tags: 4000,
};

/**
 * Text as PostgreSQL can store it, cut to `max` UTF-16 units: no U+0000 (text and json refuse it,
 * SQLSTATE 22P05) and no half of a surrogate pair left by the cut (json refuses that too).
 */
export function storable(text: string, max = Infinity): string {
  const cut = text.replaceAll("\u0000", "").slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/**
 * A line of the error report. Every line is made here, so no excerpt, column name or reason can
 * carry text the database refuses: that would roll the batch back, and every retry of it.
 */
export function rowFailure(
  row: number,
  column: string | null,
  value: string | null | undefined,
  reason: string,
  outcome: RowFailure["outcome"] = "fail",
): RowFailure {
  return {
    row_number: row,
    column_name: column === null ? null : storable(column, 255),
    value_excerpt: value == null ? null : storable(value, 200),
    reason: storable(reason, 1000),
    outcome,
  };
}

const CONSENT: Record<string, "granted" | "withdrawn"> = {
  yes: "granted", y: "granted", true: "granted", "1": "granted", granted: "granted", "opt-in": "granted", optin: "granted",
  subscribed: "granted",
  no: "withdrawn", n: "withdrawn", false: "withdrawn", "0": "withdrawn", withdrawn: "withdrawn", "opt-out": "withdrawn",
  optout: "withdrawn", unsubscribed: "withdrawn",
};

// 2024-06-01, 2024-06-01 12:00:00, 2024-06-01T12:00:00.000Z, 06/01/2024 12:00 PM, 01.06.2024 ...
const DATE_TIME = /^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})([ t]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?( ?[ap]m)?( ?(z|utc|[+-]\d{2}:?\d{2}))?)?$/;

/**
 * An opt-out cell: true when it says the person opted out (a yes, or the date and time they did, as
 * Mailchimp's UNSUB_TIME), false when it says they did not, undefined when it says neither.
 */
function optedOut(value: string): boolean | undefined {
  const text = value.toLowerCase();
  if (["true", "t", "yes", "y", "1", "x", "opted out", "opted-out", "opt-out", "optout", "unsubscribed"].includes(text)) return true;
  if (["false", "f", "no", "n", "0"].includes(text)) return false;
  return DATE_TIME.test(text) ? true : undefined;
}

/**
 * The values of one cell: Google writes several as "a ::: b", and an e-mail address cannot hold
 * an unquoted ;, which HubSpot's "Additional email addresses" puts between them. Phone numbers and
 * handles split only at :::, their own characters being anyone's guess.
 */
const cellValues = (type: ChannelType, value: string) =>
  value.split(type === "email" ? /\s*(?::::|;)\s*/ : /\s*:::\s*/).filter((part) => part !== "");

/**
 * The tags of a cell. A cell that starts with " is a quoted CSV list, as Mailchimp writes its tags
 * ("Newsletter","Customer, 2023"); any other is split at ::: (Google's labels), ;, | and ,. A
 * leading "* " marks Google's own labels (* myContacts, * starred): kept without the mark, as the
 * file's other labels are. Dropped, what the file says (a starred contact) would be lost; a tag the
 * owner does not want is theirs to remove.
 */
function tagsOf(value: string): string[] | null {
  let parts: string[];
  if (value.startsWith('"')) {
    const parsed = Papa.parse<string[]>(value, { delimiter: ",", newline: "\n" });
    if (parsed.errors.length > 0 || parsed.data.length !== 1) return null;
    parts = parsed.data[0];
  } else {
    parts = value.split(/\s*:::\s*|[;|,]/);
  }
  return [...new Set(parts.map((t) => t.trim().replace(/^\*\s+/, "").trim()).filter((t) => t !== ""))];
}

/** Why a phone cell is not a number, as the error report says it. */
function phoneProblem(value: string, country: CountryCode | undefined): string {
  if (/(?:^|[\s\d)])(?:x|ext\.?|extension|#)\s*\d+$/i.test(value)) {
    return "extensions are not stored: give the number without its extension";
  }
  if (!slashSeparatesAreaCode(value, country)) {
    return "not one phone number: a / joins two numbers or endings; give one number per cell, or several separated by :::";
  }
  const national = /^[0-9\s().\-/]+$/.test(value) && !value.startsWith("00");
  return `not a valid phone number${national && !country ? " (a national number needs default_country)" : ""}`;
}

class RowError extends Error {
  constructor(readonly code: string, message: string, readonly column: string | null, readonly value: string | null) {
    super(`${code}: ${message}`);
  }
}

/**
 * Turns rows of cells into import rows. One instance per job slice: the zod schema of a row is
 * built once from the columns.
 */
export class RowNormalizer {
  readonly #columns: Column[];
  readonly #country: CountryCode | undefined;
  readonly #dedupe: ImportOptions["dedupe_key"];
  readonly #schema: z.ZodType<string[]>;
  readonly #limits: number[];
  readonly #fileConsent: NonNullable<ImportOptions["consent"]>;

  constructor(columns: Column[], options: Pick<ImportOptions, "default_country" | "dedupe_key" | "consent">) {
    this.#columns = columns;
    this.#country = options.default_country as CountryCode | undefined;
    this.#dedupe = options.dedupe_key;
    this.#fileConsent = options.consent ?? {};
    // Every cell, trimmed, within its column's limit: a tuple, one schema per column. A channel's
    // cell may hold several identifiers, each of them checked on its own.
    // An ignored column's cells are dropped unread: no limit of theirs fails a row.
    this.#limits = columns.map((column) =>
      column.target.kind === "field" ? LIMITS[column.target.field]
        : column.target.kind === "channel" ? 4000 : column.target.kind === "metadata" ? 10_000
        : column.target.kind === "ignore" ? Infinity : 100
    );
    this.#schema = z.tuple(this.#limits.map((max) => z.string().max(max, { message: `value_too_long: at most ${max} characters` })) as [
      z.ZodString,
      ...z.ZodString[],
    ]) as unknown as z.ZodType<string[]>;
  }

  /** A row of cells (line `n`) as an import row, or the reason it cannot be one. */
  normalize(cells: string[], n: number): ImportRow | RowFailure {
    const columns = this.#columns;
    // First: whatever else is wrong with the row, a NUL is the reason it can never be stored.
    const nul = cells.findIndex((c, i) => c.includes("\u0000") && columns[i]?.target.kind !== "ignore");
    if (nul !== -1) {
      return rowFailure(n, columns[nul]?.header ?? null, cells[nul], "invalid_character: the value contains a NUL character, which cannot be stored");
    }
    if (cells.length !== columns.length) {
      const code = cells.length > columns.length ? "too_many_fields" : "too_few_fields";
      return rowFailure(n, null, cells.join(","), `${code}: the row has ${cells.length} fields, the header ${columns.length}`);
    }
    const parsed = this.#schema.safeParse(cells.map((c) => c.trim()));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const column = columns[Number(issue.path[0])];
      return rowFailure(n, column.header, cells[column.index], issue.message);
    }
    const values = parsed.data.map((v) => (v === "" ? null : v));
    if (values.every((v) => v === null)) return rowFailure(n, null, null, "empty_row: every field is empty", "skip");
    try {
      return this.#build(values, n);
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      return rowFailure(n, error.column, error.value, error.message);
    }
  }

  #build(values: (string | null)[], n: number): ImportRow {
    const row: ImportRow = {
      n, k: null, first_name: null, last_name: null, display_name: null, organization: null, job_title: null,
      external_id: null, xcol: null, tags: null, metadata: null, channels: [],
    };
    const consent = new Map<ChannelType, Consent>();
    let metadataSize = 0;
    for (const column of this.#columns) {
      const value = values[column.index];
      if (value === null) continue;
      const target = column.target;
      switch (target.kind) {
        case "ignore":
          break;
        case "field":
          if (target.field === "tags") {
            const tags = tagsOf(value);
            if (!tags) {
              throw new RowError("invalid_tags", 'a cell starting with " is read as a quoted list ("a","b, c"), and this one is not', column.header, value);
            }
            if (tags.length > 100) throw new RowError("value_too_long", "at most 100 tags", column.header, value);
            if (tags.some((t) => t.length > 100)) throw new RowError("value_too_long", "a tag has more than 100 characters", column.header, value);
            row.tags = tags;
          } else if (target.field === "external_id") {
            row.external_id = value;
            row.xcol = column.header;
          } else {
            // Names are stored NFC (the database converts them too): a file's combining marks then
            // compare equal to the stored name, so a re-import finds nothing changed.
            row[target.field] = value.normalize("NFC");
          }
          break;
        case "metadata":
          metadataSize += value.length + target.key.length + 6;
          if (metadataSize > 60_000) throw new RowError("value_too_long", "custom fields hold at most 60,000 characters per row", column.header, value);
          (row.metadata ??= {})[target.key] = value;
          break;
        case "consent": {
          const state = CONSENT[value.toLowerCase()];
          if (!state) throw new RowError("invalid_consent", "consent is yes/no, true/false, granted/withdrawn or opt-in/opt-out", column.header, value);
          // The row's opt-out wins over its consent, whichever column comes first.
          if (consent.get(target.type)?.optOut) break;
          consent.set(target.type, { state, column: column.header, value, optOut: false });
          break;
        }
        case "optout": {
          const out = optedOut(value);
          if (out === undefined) {
            throw new RowError("invalid_opt_out", "an opt-out is yes/no, true/false, 1/0 or the date it was made", column.header, value);
          }
          // Not opted out says nothing of consent: it stays as a consent column or the contact has it.
          if (out) consent.set(target.type, { state: "withdrawn", column: column.header, value, optOut: true });
          break;
        }
        case "channel":
          for (const part of cellValues(target.type, value)) this.#addChannel(row, target.type, part, column.header);
          break;
      }
    }
    this.#applyConsent(row, consent);
    // Under dedupe_key external_id an external id alone reaches the contact to update (the database
    // fails the row, missing_name, when it would make a new one, which needs a name). Elsewhere it
    // may be a sheet's row number under a bare Id column, and a row with nothing else is empty.
    const keyedById = this.#dedupe === "external_id" && row.external_id !== null;
    if (nameless(row) && !keyedById) {
      throw new RowError("missing_name", "the row has no name, organization or identifier", null, null);
    }
    row.k = this.#dedupe === "external_id" ? row.external_id
      : this.#dedupe === "phone" ? row.channels.find((c) => PHONE_TYPES.includes(c.t))?.nv ?? null
      : row.channels.find((c) => c.t === "email")?.nv ?? null;
    return row;
  }

  /** One identifier of a channel cell, normalized; the first of its type is the primary one. */
  #addChannel(row: ImportRow, type: ChannelType, value: string, column: string): void {
    const normalized = normalizeChannelIdentifier(type, value, this.#country);
    if (!normalized) {
      if (type === "email") throw new RowError("invalid_email", "not a valid e-mail address", column, value);
      if (PHONE_TYPES.includes(type)) throw new RowError("invalid_phone", phoneProblem(value, this.#country), column, value);
      throw new RowError("invalid_identifier", "not a valid handle", column, value);
    }
    if (row.channels.some((c) => c.t === type && c.nv === normalized)) return;
    // Phones are stored in E.164: the database normalizes without a country, so a national
    // format given as is would not pass its check.
    const phoneLike = PHONE_TYPES.includes(type);
    row.channels.push({
      t: type, v: phoneLike ? normalized : value, nv: normalized, p: !row.channels.some((c) => c.t === type), c: null, col: column,
    });
  }

  /**
   * The consent of the row's channels: its opt-out or consent column, else the file's. A
   * withdrawal reaches every channel of its type the row gives, a grant only the primary one, so
   * an address the person never agreed for is never granted. A row's own consent for a channel
   * type it has no channel of fails it; the file's says nothing of such a row.
   */
  #applyConsent(row: ImportRow, given: Map<ChannelType, Consent>): void {
    const types = new Set([...given.keys(), ...Object.keys(this.#fileConsent) as ChannelType[]]);
    for (const type of types) {
      const own = given.get(type);
      const state = own?.state ?? this.#fileConsent[type];
      if (!state) continue;
      const channels = row.channels.filter((c) => c.t === type);
      if (own && channels.length === 0) {
        const what = own.optOut ? "an opt-out" : "consent";
        throw new RowError(own.optOut ? "invalid_opt_out" : "invalid_consent", `${what} for ${type} is given but the row has no ${type}`, own.column, own.value);
      }
      for (const channel of state === "withdrawn" ? channels : channels.slice(0, 1)) channel.c = state;
    }
  }
}

/** The consent a row gives for a channel type, and the column that gave it. */
interface Consent {
  state: "granted" | "withdrawn";
  column: string;
  value: string;
  optOut: boolean;
}
