// import-contacts with the export files of the tools people bring their contacts from (Google
// Contacts, Outlook, HubSpot, Thunderbird, Salesforce, LinkedIn, Excel in German and French, Excel
// for Mac): each imports without a mapping, and its job says where every column went. Then the
// layouts around the header (Excel's sep= line, LinkedIn's preamble, header_row, unnamed columns)
// and Mac Roman. Fixtures: supabase/tests/fixtures/exports. The pure parts are tested first,
// without a server.
import { assert, assertEquals, assertThrows } from "@std/assert/mod.js";
import { assertError } from "./_support/http.ts";
import { type CorpusCase, errorLines, type ExpectedLine, type Job, startLimitedGateway, upload, waitForJob } from "./_support/import.ts";
import { createOwner, type Owner, removeOwners, sql } from "./_support/stack.ts";
import { cellsOf, detectFormat, EncodingCheck, RecordReader } from "../../functions/import-contacts/csv.ts";
import { HeaderLocator, readHeader } from "../../functions/import-contacts/layout.ts";
import { aliasKey, aliasOf, HeaderError, mapHeader, resolveColumns, targetName } from "../../functions/import-contacts/rows.ts";

const FIXTURES = new URL("../fixtures/exports/", import.meta.url);
const fixtureBytes = (name: string) => Deno.readFileSync(new URL(name, FIXTURES));
const fixture = (name: string) => new Blob([fixtureBytes(name) as BlobPart]);
const encoder = new TextEncoder();

/** Where each column of a header goes, as "header: target". */
const targets = (header: string[], mapping = {}) => resolveColumns(header, mapping).map((c) => `${c.header}: ${targetName(c.target)}`);

Deno.test("header names match well-known ones without accents, case or punctuation", () => {
  assertEquals(["Prénom", "Société", "Téléphone", "E-Mail", "Adresse e-mail", "ACCOUNT.NAME"].map(aliasKey), [
    "prenom", "societe", "telephone", "email", "adresseemail", "accountname",
  ]);
  assertEquals(["prenom", "nom", "societe", "fonction", "courriel", "portable"].map(aliasOf), [
    "first_name", "last_name", "organization", "job_title", "email", "phone",
  ]);
  assertEquals(["vorname", "nachname", "firma", "unternehmen", "telefon", "mobil", "handy"].map(aliasOf), [
    "first_name", "last_name", "organization", "organization", "phone", "phone", "phone",
  ]);
  // Inherited names of a plain object are no aliases.
  assertEquals(["constructor", "tostring", "proto"].map(aliasOf), [undefined, undefined, undefined]);
});

Deno.test("Outlook's exports in German and French name their e-mail and phone columns", () => {
  assertEquals(targets(["E-Mail-Adresse", "E-Mail-Typ", "E-Mail 2: Adresse", "Telefon geschäftlich", "Telefon privat", "Mobiltelefon"]), [
    "E-Mail-Adresse: email", "E-Mail-Typ: metadata.e_mail_typ", "E-Mail 2: Adresse: email", "Telefon geschäftlich: phone",
    "Telefon privat: phone", "Mobiltelefon: phone",
  ]);
  assertEquals(targets(["Adresse de messagerie", "Téléphone bureau", "Téléphone domicile", "Tél. mobile"]), [
    "Adresse de messagerie: email", "Téléphone bureau: phone", "Téléphone domicile: phone", "Tél. mobile: phone",
  ]);
});

Deno.test("a numbered channel column is one more channel; numbered fields and channel labels stay custom fields", () => {
  assertEquals(
    ["email1value", "email2value", "email3address", "phone12value", "homephone2", "businessphone2", "phone3", "tel2"].map(aliasOf),
    ["email", "email", "email", "phone", "phone", "phone", "phone", "phone"],
  );
  assertEquals(["email1label", "phone1type", "address1street", "custom1", "webpage1", "organization2name"].map(aliasOf), [
    undefined, undefined, undefined, undefined, undefined, undefined,
  ]);
  assertEquals(targets(["Labels", "E-mail 1 - Label", "E-mail 1 - Value"]), [
    "Labels: tags", "E-mail 1 - Label: metadata.e_mail_1_label", "E-mail 1 - Value: email",
  ]);
});

Deno.test("a bare Title or Id takes its field only when no other column does", () => {
  assertEquals(targets(["Title", "Job Title", "Email"]), ["Title: metadata.title", "Job Title: job_title", "Email: email"]);
  assertEquals(targets(["TITLE", "EMAIL"]), ["TITLE: job_title", "EMAIL: email"]);
  assertEquals(targets(["Id", "Record ID", "Email"]), ["Id: metadata.id", "Record ID: external_id", "Email: email"]);
  assertEquals(targets(["Id", "Email"]), ["Id: external_id", "Email: email"]);
  // A mapping decides for its columns: Title mapped away leaves job_title to nobody else.
  assertEquals(targets(["Title", "Job Title", "Email"], { "Job Title": "metadata.role" }), [
    "Title: job_title", "Job Title: metadata.role", "Email: email",
  ]);
  // "Name" is the display name, the French "Nom" the last name: no clash.
  assertEquals(targets(["Name", "Nom", "Prénom"]), ["Name: display_name", "Nom: last_name", "Prénom: first_name"]);
  // Custom field keys are as they were (accents dropped, other characters _), whatever matched.
  assertEquals(targets(["Remarqué", "Straße"]), ["Remarqué: metadata.remarque", "Straße: metadata.stra_e"]);
});

Deno.test("unnamed header columns are custom fields keyed by position; they never clash, and a wholly empty header still fails", () => {
  assertEquals(targets(["First Name", "Email", "", ""]), [
    "First Name: first_name", "Email: email", "column_3: metadata.column_3", "column_4: metadata.column_4",
  ]);
  assertEquals(mapHeader(["Email", "", " "], { dedupe_key: "email" }).length, 3);
  // A named column whose custom field would be column_3 keeps it; the unnamed third column steps aside.
  assertEquals(mapHeader(["Email", "Column 3", ""], { dedupe_key: "email" }).map((c) => `${c.header}: ${targetName(c.target)}`), [
    "Email: email", "Column 3: metadata.column_3", "column_3_2: metadata.column_3_2",
  ]);
  const error = assertThrows(() => mapHeader(["", ""], { dedupe_key: "email" }), HeaderError);
  assertEquals(error.code, "missing_header");
  // Outlook's Title and Job Title no longer clash.
  assertEquals(mapHeader(["Title", "Job Title", "E-mail Address"], { dedupe_key: "email" }).map((c) => targetName(c.target)), [
    "metadata.title", "job_title", "email",
  ]);
});

Deno.test("Excel's sep= first line names the delimiter and is no row; a forced delimiter still wins", () => {
  for (const [line, delimiter] of [["sep=;", ";"], ["SEP=,", ","], ["sep=\t", "\t"], ["sep=|", "|"]]) {
    const format = detectFormat(encoder.encode(`${line}\r\na${delimiter}b\r\n1${delimiter}2\r\n`));
    assertEquals([format.delimiter, format.sepLine], [delimiter, true], line);
  }
  const semicolons = encoder.encode("sep=;\na;b,c\n");
  assertEquals(detectFormat(semicolons, { delimiter: "," }).delimiter, ",");
  assertEquals(detectFormat(encoder.encode("sep;a\n1;2\n")).sepLine, false, "only sep=<delimiter> is the sep line");
  const colons = detectFormat(encoder.encode("sep=:\na:b\n1:2\n"));
  assertEquals([colons.sepLine, colons.unreadableSep], [true, ":"], "a sep= line naming a character the import cannot read says so");
  assertEquals(detectFormat(encoder.encode("sep=:\na,b\n"), { delimiter: "," }).unreadableSep, null, "a forced delimiter reads past it");
  assertEquals(detectFormat(encoder.encode("sep=;\na;b\n")).unreadableSep, null);
  const titled = encoder.encode("Adressliste\n\nName;E-Mail\nAda;ada@example.com\nBob;bob@example.com\n");
  assertEquals(detectFormat(titled, { header_row: 3 }).delimiter, ";", "the lines before header_row take no part in the guess");
});

Deno.test("lone-CR files that are not UTF-8 are Mac Roman; CRLF ones stay Windows-1252", async () => {
  const macRoman = fixtureBytes("excel_mac_roman_cr.csv");
  assertEquals([detectFormat(macRoman).encoding, detectFormat(macRoman).newline], ["macintosh", "\r"]);
  assertEquals(detectFormat(fixtureBytes("excel_de_semicolon_cp1252.csv")).encoding, "windows-1252");
  // A line break inside a cell is an LF, as Excel writes it, also in a file whose lines end in CRs.
  const cellBreak = new Uint8Array([...encoder.encode('First Name,Email,Address\rAm'), 0x8e, ...encoder.encode('lie,a@example.com,"12 Rue\nParis"\rGrace,g@example.com,NYC\r')]);
  const format = detectFormat(cellBreak);
  assertEquals([format.encoding, format.newline], ["macintosh", "\r"]);
  const reader = new RecordReader(new Blob([cellBreak]).stream(), format, 0, 1);
  const lines: number[] = [];
  for (let record = await reader.next(); record; record = await reader.next()) lines.push(record.line);
  assertEquals(lines, [1, 2, 3], "three records, the quoted LF inside the second");
  assertEquals([detectFormat(encoder.encode('a,b\r\n1,"x\ry"\r\n')).newline, detectFormat(encoder.encode("a,b\n1,2\n")).newline], ["\n", "\n"]);
  // An ASCII start says UTF-8 for now; the byte that says otherwise later decides by the line endings.
  for (const [newline, expected] of [["\r", "macintosh"], ["\r\n", "windows-1252"]]) {
    const ascii = encoder.encode(`first_name,email${newline}` + `Ada,ada@example.com${newline}`.repeat(4000));
    const file = new Uint8Array([...ascii, ...encoder.encode("Am"), 0x8e, ...encoder.encode(`lie,a@example.com${newline}`)]);
    const check = new EncodingCheck(ascii, detectFormat(ascii));
    check.push(file);
    assertEquals(check.finish(), expected, JSON.stringify(newline));
  }
});

/** The header a locator finds in `text`, as [line, cells], or the code of the error it throws. */
async function headerOf(text: string, headerRow?: number): Promise<[number, string[]] | string> {
  const bytes = encoder.encode(text);
  const format = detectFormat(bytes);
  try {
    const record = await readHeader(new RecordReader(new Blob([bytes]).stream(), format, 0, 1), format, headerRow);
    return [record.line, cellsOf(new TextDecoder().decode(record.bytes), format)];
  } catch (error) {
    if (error instanceof HeaderError) return error.code;
    throw error;
  }
}

Deno.test("the header is found after a sep= line, LinkedIn's Notes: preamble, or on the line header_row names", async () => {
  const linkedin = 'Notes:\r\n"When exporting, some e-mail addresses are missing, see\r\nhttps://example.com"\r\n\r\nFirst Name,Email Address\r\nAda,ada@example.com\r\n';
  assertEquals(await headerOf(linkedin), [5, ["First Name", "Email Address"]]);
  assertEquals(await headerOf("sep=,\nNotes:\nsome prose\nFirst Name,Email\n"), [4, ["First Name", "Email"]]);
  assertEquals(await headerOf("first_name,email\nNotes:,x\n"), [1, ["first_name", "email"]], "Notes: elsewhere is data");
  assertEquals(await headerOf("Notes:\nonly prose\n"), "empty_file");
  // Opened in Excel or Google Sheets and saved again: every line padded to the table's width.
  const resaved = 'Notes:,,,\r\n"When exporting, some e-mail addresses are missing",,,\r\n,,,\r\nFirst Name,Last Name,URL,Email Address\r\nAda,L,u,ada@example.com\r\n';
  assertEquals(await headerOf(resaved), [4, ["First Name", "Last Name", "URL", "Email Address"]]);
  assertEquals(await headerOf(linkedin, 5), [5, ["First Name", "Email Address"]]);
  assertEquals(await headerOf("title line\nexported 2024\nfirst_name,email\n", 3), [3, ["first_name", "email"]]);
  assertEquals(await headerOf(linkedin, 3), "header_row_not_found", "line 3 is inside a quoted field");
  assertEquals(await headerOf(linkedin, 4), "header_row_not_found", "line 4 is blank");
  assertEquals(await headerOf(linkedin, 99), "header_row_not_found", "past the end");
  const locator = new HeaderLocator(detectFormat(encoder.encode("a,b\n")));
  assertEquals(locator.isHeader(1, "a,b"), true);
});

// ---- end to end ----

type Line = ExpectedLine;

/** A contact as the test compares it; channels "type:normalized", "*" after the primary one of its type. */
interface Contact {
  name: string;
  first: string | null;
  last: string | null;
  org: string | null;
  title: string | null;
  external_id?: string | null;
  channels: string[];
  /** The metadata keys, sorted; or the whole metadata when an object. */
  metadata: string[] | Record<string, string>;
}

interface Case extends CorpusCase {
  encoding: string;
  delimiter: string;
  /** Every column that is no custom field, as "header: target"; all others are metadata.<metadataKey>. */
  columns: string[];
  /** Custom fields the test names, as "header: metadata.<key>". */
  metadataColumns?: string[];
  contacts: Contact[];
}

const contactsOf = async (owner: Owner): Promise<Contact[]> => {
  const rows = await sql<Contact & { metadata: Record<string, string> }>(
    `select c.display_name as name, c.first_name as first, c.last_name as last, c.organization as org, c.job_title as title,
       c.external_id, c.metadata,
       coalesce(array_agg(ch.channel_type || ':' || ch.normalized_identifier || case when ch.is_primary then '*' else '' end
         order by ch.channel_type, ch.normalized_identifier) filter (where ch.id is not null), '{}') as channels
     from public.contacts c left join public.contact_communication_channels ch on ch.contact_id = c.id
     where c.user_id = $1 group by c.id order by c.display_name`,
    [owner.id],
  );
  return rows;
};

const FIELD_COLUMNS = {
  google: [
    "First Name: first_name", "Last Name: last_name", "Organization Name: organization", "Organization Title: job_title",
    "Labels: tags", "E-mail 1 - Value: email", "E-mail 2 - Value: email", "Phone 1 - Value: phone", "Phone 2 - Value: phone",
  ],
};

const CASES: Case[] = [
  {
    file: "google_contacts.csv", options: { default_country: "FR" }, status: "completed", total: 6, counts: [6, 0, 0, 0], errors: [],
    encoding: "utf-8", delimiter: ",", columns: FIELD_COLUMNS.google,
    metadataColumns: ["Middle Name: metadata.middle_name", "E-mail 1 - Label: metadata.e_mail_1_label", "Phone 2 - Label: metadata.phone_2_label"],
    contacts: [
      { name: "Amélie Dupont", first: "Amélie", last: "Dupont", org: "Société Générale", title: "Responsable conformité",
        channels: ["email:amelie.d@gmail.example", "email:amelie.dupont@socgen.example*", "phone:+33142142000", "phone:+33612345678*"],
        metadata: ["address_1_city", "address_1_country", "address_1_formatted", "address_1_label", "address_1_postal_code", "address_1_street",
          "birthday", "e_mail_1_label", "e_mail_2_label", "middle_name", "name_prefix", "nickname", "notes", "organization_department",
          "phone_1_label", "phone_2_label"] },
      { name: "Boulangerie Lefèvre", first: null, last: null, org: "Boulangerie Lefèvre", title: null, channels: ["phone:+33143256789*"],
        metadata: { notes: "Croissants, pain au chocolat, baguettes", phone_1_label: "Work" } },
      { name: "José García Márquez", first: "José", last: "García Márquez", org: "Telefónica", title: null, channels: ["phone:+34612345678*"],
        metadata: { middle_name: "Luis", name_suffix: "Jr.", phone_1_label: "Mobile" } },
      { name: "Jürgen Müller", first: "Jürgen", last: "Müller", org: "Müller & Söhne GmbH", title: "Geschäftsführer",
        channels: ["email:j.mueller@mueller-soehne.example*", "phone:+49891234567*"], metadata: { e_mail_1_label: "* Work", phone_1_label: "Work" } },
      { name: "Siobhán O'Connor", first: "Siobhán", last: "O'Connor", org: null, title: null,
        channels: ["email:siobhan.oconnor@eircom.example*", "phone:+353871234567*"], metadata: ["e_mail_1_label", "notes", "phone_1_label"] },
      { name: "Zoë Ng", first: "Zoë", last: "Ng", org: null, title: null, channels: ["email:zng@contoso.example", "email:zoe.ng@outlook.example*"],
        metadata: { e_mail_1_label: "* Other", e_mail_2_label: "Work", website_1_label: "Profile", website_1_value: "https://linkedin.example/in/zoeng" } },
    ],
  },
  {
    file: "google_legacy.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], encoding: "utf-8", delimiter: ",",
    columns: [
      "Name: display_name", "Given Name: first_name", "Family Name: last_name", "E-mail 1 - Value: email", "E-mail 2 - Value: email",
      "Phone 1 - Value: phone", "Phone 2 - Value: phone", "Organization 1 - Name: organization", "Organization 1 - Title: job_title",
    ],
    metadataColumns: ["Group Membership: metadata.group_membership", "E-mail 1 - Type: metadata.e_mail_1_type"],
    contacts: [
      { name: "Amélie Dupont", first: "Amélie", last: "Dupont", org: "Société Générale", title: "Responsable conformité",
        channels: ["email:amelie.d@gmail.example", "email:amelie.dupont@socgen.example*", "phone:+33142142000", "phone:+33612345678*"],
        metadata: ["additional_name", "e_mail_1_type", "e_mail_2_type", "notes", "phone_1_type", "phone_2_type"] },
      { name: "Björn Sørensen", first: "Björn", last: "Sørensen", org: "Mærsk", title: "Ingeniør",
        channels: ["email:bjorn@sorensen.example*", "phone:+4520123456*"], metadata: { e_mail_1_type: "* Other", phone_1_type: "Mobile" } },
    ],
  },
  {
    // Outlook's Title is the salutation (Mme, Dr.): beside Job Title it is a custom field, not a clash.
    file: "outlook.csv", status: "completed", total: 4, counts: [4, 0, 0, 0], errors: [], encoding: "utf-8", delimiter: ",",
    columns: [
      "First Name: first_name", "Last Name: last_name", "E-mail Address: email", "E-mail 2 Address: email", "E-mail 3 Address: email",
      "Home Phone: phone", "Home Phone 2: phone", "Business Phone: phone", "Business Phone 2: phone", "Mobile Phone: phone",
      "Other Phone: phone", "Primary Phone: phone", "Job Title: job_title", "Company: organization",
    ],
    metadataColumns: ["Title: metadata.title", "Company Main Phone: metadata.company_main_phone", "Assistant's Phone: metadata.assistant_s_phone"],
    contacts: [
      { name: "Chidi Okonkwo", first: "Chidi", last: "Okonkwo", org: "Dangote Group", title: "Head of Strategy", channels: ["phone:+23412700000*"],
        metadata: { title: "Dr." } },
      { name: "Ingrid Bergström", first: "Ingrid", last: "Bergström", org: "Volvo Cars", title: "CFO",
        channels: ["email:ib@privat.example", "email:ingrid.bergstrom@volvo.example", "email:ingrid@bergstrom.example*", "phone:+46701234567*"],
        metadata: { notes: "Assistant: Karin, ext 4412" } },
      // Home Phone comes first in Outlook's columns: it is the primary phone.
      { name: "Élodie Rousseau", first: "Élodie", last: "Rousseau", org: "Airbus", title: "Directrice des achats",
        channels: ["email:elodie.r@orange.example", "email:elodie.rousseau@airbus.example*", "phone:+33561001122*", "phone:+33561933333", "phone:+33698765432"],
        metadata: ["birthday", "business_city", "department", "middle_name", "notes", "title"] },
      { name: "Łukasz Kowalski", first: "Łukasz", last: "Kowalski", org: "CD Projekt", title: "Lead Engineer",
        channels: ["email:lukasz.kowalski@cdprojekt.example*", "phone:+48225196900*"], metadata: { title: "Mr.", suffix: "PhD" } },
    ],
  },
  {
    file: "hubspot.csv", options: { default_country: "US" }, status: "completed", total: 4, counts: [4, 0, 0, 0], errors: [], encoding: "utf-8",
    delimiter: ",",
    columns: [
      "Record ID: external_id", "First Name: first_name", "Last Name: last_name", "Email: email", "Phone Number: phone",
      "Mobile Phone Number: phone", "Company Name: organization", "Job Title: job_title",
    ],
    metadataColumns: ["Associated Company: metadata.associated_company", "Additional email addresses: metadata.additional_email_addresses"],
    contacts: [
      { name: "Aiko Tanaka", first: "Aiko", last: "Tanaka", org: "Sony", title: null, external_id: "53",
        channels: ["email:aiko.tanaka@sony.example*", "phone:+819012345678*"], metadata: { create_date: "2024-03-10 08:15", lifecycle_stage: "Opportunity" } },
      { name: "François Lefebvre", first: "François", last: "Lefebvre", org: "Michelin", title: "VP Sales", external_id: "52",
        channels: ["email:f.lefebvre@michelin.example*", "phone:+33473322000*"],
        metadata: ["city", "contact_owner", "country_region", "create_date", "lifecycle_stage", "marketing_contact_status"] },
      { name: "Maria Souza", first: "Maria", last: "Souza", org: "Natura &Co", title: "Head of CRM", external_id: "51",
        channels: ["email:maria.souza@natura.example*", "phone:+551143897000*", "phone:+5511987654321"],
        metadata: ["additional_email_addresses", "associated_company", "city", "contact_owner", "country_region", "create_date", "lead_status",
          "lifecycle_stage", "marketing_contact_status"] },
      { name: "Noah Williams", first: "Noah", last: "Williams", org: "Acme, Inc.", title: "Founder", external_id: "54",
        channels: ["phone:+14155550132*", "phone:+14155550199"], metadata: ["city", "country_region", "create_date", "lifecycle_stage"] },
    ],
  },
  {
    file: "thunderbird.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], encoding: "utf-8", delimiter: ",",
    columns: [
      "First Name: first_name", "Last Name: last_name", "Display Name: display_name", "Primary Email: email", "Secondary Email: email",
      "Work Phone: phone", "Home Phone: phone", "Mobile Number: phone", "Job Title: job_title", "Organization: organization",
    ],
    metadataColumns: ["Fax Number: metadata.fax_number", "Custom 1: metadata.custom_1", "Home Address 2: metadata.home_address_2"],
    contacts: [
      { name: "Margrethe Læssøe", first: "Margrethe", last: "Læssøe", org: "Novo Nordisk", title: "Forsker",
        channels: ["email:m.laessoe@novo.example", "email:margrethe@laessoe.example*", "phone:+4520304050", "phone:+4544448888*"],
        metadata: { notes: "Conference, Copenhagen 2023" } },
      { name: "Tomás Ó Briain", first: "Tomás", last: "Ó Briain", org: null, title: null,
        channels: ["email:tomas@obriain.example*", "phone:+353851112222*"], metadata: {} },
    ],
  },
  {
    // Data Loader: upper-case API names, a bare ID (the record id: no other external id column)
    // and TITLE (the job title: no other).
    file: "salesforce_dataloader.csv", status: "completed", total: 3, counts: [3, 0, 0, 0], errors: [], encoding: "utf-8", delimiter: ",",
    columns: [
      "ID: external_id", "FIRSTNAME: first_name", "LASTNAME: last_name", "EMAIL: email", "PHONE: phone", "MOBILEPHONE: phone",
      "HOMEPHONE: phone", "TITLE: job_title", "ACCOUNT.NAME: organization",
    ],
    metadataColumns: ["SALUTATION: metadata.salutation", "MAILINGCITY: metadata.mailingcity"],
    contacts: [
      { name: "Grace O'Neill", first: "Grace", last: "O'Neill", org: "Accenture", title: "Managing Director", external_id: "0035g00000AbCdEAAV",
        channels: ["email:grace.oneill@accenture.example*", "phone:+35316462000*", "phone:+353865550101"],
        metadata: { salutation: "Ms.", mailingcity: "Dublin", leadsource: "Web", description: "Key account; renewal 2025" } },
      { name: "Henrik Nyström", first: "Henrik", last: "Nyström", org: "Ericsson", title: "CTO", external_id: "0035g00000AbCdFAAV",
        channels: ["email:henrik.nystrom@ericsson.example*", "phone:+46107190000*"], metadata: { salutation: "Mr.", leadsource: "Partner Referral" } },
      { name: "Priya Raman", first: "Priya", last: "Raman", org: "Tata Consultancy Services", title: "Delivery Head", external_id: "0035g00000AbCdGAAV",
        channels: ["email:priya.raman@tcs.example*", "phone:+918022223333", "phone:+919845012345*"], metadata: {} },
    ],
  },
  {
    file: "salesforce_report.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], encoding: "utf-8", delimiter: ",",
    columns: [
      "Contact ID: external_id", "First Name: first_name", "Last Name: last_name", "Title: job_title", "Account Name: organization",
      "Email: email", "Phone: phone", "Mobile: phone",
    ],
    metadataColumns: ["Salutation: metadata.salutation", "Contact Owner: metadata.contact_owner"],
    contacts: [
      { name: "Grace O'Neill", first: "Grace", last: "O'Neill", org: "Accenture", title: "Managing Director", external_id: "0035g00000AbCdE",
        channels: ["email:grace.oneill@accenture.example*", "phone:+35316462000*", "phone:+353865550101"],
        metadata: ["contact_owner", "lead_source", "mailing_city", "salutation"] },
      { name: "Henrik Nyström", first: "Henrik", last: "Nyström", org: "Ericsson", title: "CTO", external_id: "0035g00000AbCdF",
        channels: ["email:henrik.nystrom@ericsson.example*", "phone:+46107190000*"], metadata: ["contact_owner", "lead_source", "salutation"] },
    ],
  },
  {
    // LinkedIn's Connections.csv: three lines of notes (one a quoted paragraph) and a blank line
    // before the header on line 4. Connections that hide their address have none.
    file: "linkedin_connections.csv", status: "completed", total: 4, counts: [4, 0, 0, 0], errors: [], encoding: "utf-8", delimiter: ",",
    columns: ["First Name: first_name", "Last Name: last_name", "Email Address: email", "Company: organization", "Position: job_title"],
    metadataColumns: ["URL: metadata.url", "Connected On: metadata.connected_on"],
    contacts: [
      { name: "Anaïs Béranger", first: "Anaïs", last: "Béranger", org: "L'Oréal", title: "Brand Manager", channels: [],
        metadata: { url: "https://www.linkedin.com/in/anais-beranger", connected_on: "28 Nov 2022" } },
      { name: "Kwame Mensah", first: "Kwame", last: "Mensah", org: "MTN Ghana", title: "Product Manager, Mobile Money", channels: [],
        metadata: ["connected_on", "url"] },
      { name: "Raj Patel", first: "Raj", last: "Patel", org: "Infosys", title: "Senior Architect", channels: ["email:raj.patel@infosys.example*"],
        metadata: ["connected_on", "url"] },
      { name: "Sofía Hernández", first: "Sofía", last: "Hernández", org: "BBVA", title: "Data Scientist",
        channels: ["email:sofia.hernandez@bbva.example*"], metadata: ["connected_on", "url"] },
    ],
  },
];

/** Excel in German: Windows-1252, semicolons, a quoted line break; the same rows behind a sep=; line. */
const GERMAN_CONTACTS: Contact[] = [
  { name: "Jürgen Weiß", first: "Jürgen", last: "Weiß", org: "Bäckerei Weiß GmbH & Co. KG", title: "Inhaber", external_id: "K-1001",
    channels: ["email:juergen@baeckerei-weiss.example*", "phone:+491719876543", "phone:+49891234567*"],
    metadata: { umsatz: "12.345,67 €", bemerkung: "Liefert montags; Rabatt 5%", geburtstag: "31.12.1970" } },
  { name: "Käthe Schröder", first: "Käthe", last: "Schröder", org: "Schröder AG", title: "Einkäuferin", external_id: "K-1002",
    channels: ["email:k.schroeder@schroeder-ag.example*", "phone:+4940555666*"],
    metadata: { umsatz: "987,00 €", bemerkung: "Ansprechpartnerin für Ausschreibungen,\r\nbitte nur per E-Mail", geburtstag: "01.02.1985" } },
  { name: "Søren Ærø", first: "Søren", last: "Ærø", org: null, title: null, external_id: "K-1003", channels: ["email:soren@aero.example*"], metadata: {} },
];
const GERMAN_COLUMNS = [
  "Vorname: first_name", "Nachname: last_name", "Firma: organization", "Position: job_title", "E-Mail: email", "Telefon: phone",
  "Mobiltelefon: phone", "Kundennummer: external_id",
];
CASES.push(
  {
    file: "excel_de_semicolon_cp1252.csv", options: { default_country: "DE" }, status: "completed", total: 4, counts: [3, 0, 0, 1],
    errors: [[6, "E-Mail", "invalid_email"]], encoding: "windows-1252", delimiter: ";", columns: GERMAN_COLUMNS, contacts: GERMAN_CONTACTS,
  },
  {
    // The sep=; line is no row: the same four rows, each a line further down, as the report says.
    file: "excel_de_sep_line.csv", options: { default_country: "DE" }, status: "completed", total: 4, counts: [3, 0, 0, 1],
    errors: [[7, "E-Mail", "invalid_email"]], encoding: "windows-1252", delimiter: ";", columns: GERMAN_COLUMNS, contacts: GERMAN_CONTACTS,
  },
  {
    file: "excel_fr_utf8_bom_sep.csv", options: { default_country: "FR" }, status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [],
    encoding: "utf-8", delimiter: ";",
    columns: [
      "Prénom: first_name", "Nom: last_name", "Société: organization", "Fonction: job_title", "Adresse e-mail: email", "Téléphone: phone",
      "Portable: phone",
    ],
    metadataColumns: ["Date de naissance: metadata.date_de_naissance", "Remarques: metadata.remarques"],
    contacts: [
      { name: "Benoît Gaël", first: "Benoît", last: "Gaël", org: "Œuvres Sociales", title: "Trésorier",
        channels: ["email:benoit.gael@oeuvres.example*", "phone:+33798765432*"], metadata: { date_de_naissance: "05/06/1975" } },
      { name: "Hélène Lefèvre", first: "Hélène", last: "Lefèvre", org: "Crédit Agricole", title: "Chargée d'affaires",
        channels: ["email:helene.lefevre@ca.example*", "phone:+33143123456*", "phone:+33612345678"],
        metadata: { date_de_naissance: "31/12/1980", remarques: "Déjeuner prévu; à rappeler" } },
    ],
  },
  {
    // Every line ends with a ; (an unnamed fifth column, always empty): nothing of it is stored.
    file: "excel_trailing_delimiter.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], encoding: "windows-1252", delimiter: ";",
    columns: ["Vorname: first_name", "Nachname: last_name", "E-Mail: email", "Firma: organization"],
    metadataColumns: [": metadata.column_5"],
    contacts: [
      { name: "Jürgen Weiß", first: "Jürgen", last: "Weiß", org: "Bäckerei Weiß", title: null, channels: ["email:juergen@weiss.example*"], metadata: {} },
      { name: "Käthe Schröder", first: "Käthe", last: "Schröder", org: "Schröder AG", title: null, channels: ["email:k@schroeder.example*"], metadata: {} },
    ],
  },
  {
    // Two unnamed trailing columns: a value typed under one is kept, under its position's key.
    file: "excel_trailing_empty_columns.csv", status: "completed", total: 3, counts: [3, 0, 0, 0], errors: [], encoding: "utf-8", delimiter: ",",
    columns: ["First Name: first_name", "Last Name: last_name", "E-mail Address: email", "Company: organization"],
    metadataColumns: [": metadata.column_5", ": metadata.column_6"],
    contacts: [
      { name: "Ada Lovelace", first: "Ada", last: "Lovelace", org: "Engines", title: null, channels: ["email:ada@example.com*"], metadata: {} },
      { name: "Alan Turing", first: "Alan", last: "Turing", org: null, title: null, channels: ["email:alan@example.com*"], metadata: { column_5: "x" } },
      { name: "Grace Hopper", first: "Grace", last: "Hopper", org: "Navy", title: null, channels: ["email:grace@example.com*"],
        metadata: { column_6: "see Ada" } },
    ],
  },
  {
    // Excel for Mac's "Comma Separated Values": Mac Roman, lines ending in a lone CR.
    file: "excel_mac_roman_cr.csv", status: "completed", total: 3, counts: [3, 0, 0, 0], errors: [], encoding: "macintosh", delimiter: ",",
    columns: ["First Name: first_name", "Last Name: last_name", "Company: organization", "Email: email"],
    contacts: [
      { name: "Amélie Dupont", first: "Amélie", last: "Dupont", org: "Société Générale", title: null, channels: ["email:amelie@socgen.example*"], metadata: {} },
      { name: "François Lefèvre", first: "François", last: "Lefèvre", org: "Crédit Agricole", title: null, channels: ["email:f.lefevre@ca.example*"],
        metadata: {} },
      { name: "Jürgen Müller", first: "Jürgen", last: "Müller", org: "Müller & Söhne", title: null, channels: ["email:j.mueller@ms.example*"], metadata: {} },
    ],
  },
);

/** The job's column report as "header: target", for the columns that are no custom fields. */
const fieldColumns = (columns: NonNullable<Job["columns"]>) => columns.filter((c) => !c.target.startsWith("metadata.")).map((c) => `${c.header}: ${c.target}`);

function assertContacts(actual: Contact[], expected: Contact[]): void {
  assertEquals(actual.map((c) => c.name), expected.map((c) => c.name), "the contacts");
  for (const [i, want] of expected.entries()) {
    const got = actual[i];
    const metadata = Array.isArray(want.metadata) ? Object.keys(got.metadata).sort() : got.metadata;
    assertEquals(
      { ...got, external_id: want.external_id === undefined ? undefined : got.external_id, metadata },
      { ...want, external_id: want.external_id },
      want.name,
    );
  }
}

const reasonCodes = (lines: { row_number: number; column_name: string | null; reason: string }[]): Line[] =>
  lines.map((l) => [l.row_number, l.column_name, l.reason.split(":")[0]]);

async function importAndWait(owner: Owner, body: BodyInit, options: Record<string, string> = {}, base?: string): Promise<Job> {
  const token = await owner.token();
  const response = await upload(token, body, { force: "true", ...options }, base);
  assert(response.status === 202, `upload: ${response.status} ${JSON.stringify(response.body)}`);
  return await waitForJob(token, response.body.id, { base });
}

function assertAccounting(job: Job): void {
  assertEquals(job.created + job.updated + job.skipped + job.failed, job.processed_rows, "counts add up to the rows processed");
  if (job.status === "completed") assertEquals(job.processed_rows, job.total_rows, "a completed job processed every row");
}

Deno.test("import-contacts with the exports of common tools", { sanitizeResources: false, sanitizeOps: false }, async (t) => {
  const owners: Owner[] = [];
  const fresh = async (label: string) => {
    const owner = await createOwner(label);
    owners.push(owner);
    return owner;
  };
  try {
    for (const c of CASES) {
      await t.step(`${c.file}: status, exact counts, where each column went, the contacts and the error report`, async () => {
        const owner = await fresh("exports");
        const job = await importAndWait(owner, fixture(c.file), c.options);
        assertEquals(job.status, c.status, `${c.file}: ${job.error_summary}`);
        assertEquals(job.total_rows, c.total, "total rows");
        assertEquals([job.created, job.updated, job.skipped, job.failed], c.counts, "created, updated, skipped, failed");
        assertAccounting(job);
        assertEquals([job.encoding, job.delimiter], [c.encoding, c.delimiter], "encoding and delimiter");
        assertEquals(reasonCodes(await errorLines(await owner.token(), job.id)), c.errors, "error report");
        const columns = job.columns!;
        assertEquals(columns.map((column) => column.position), columns.map((_, i) => i + 1), "every column, in order");
        assertEquals(fieldColumns(columns), c.columns, "the columns that became fields, channels and tags");
        const metadata = columns.filter((column) => column.target.startsWith("metadata.")).map((column) => `${column.header}: ${column.target}`);
        for (const named of c.metadataColumns ?? []) assert(metadata.includes(named), `${named} in ${JSON.stringify(metadata)}`);
        assertContacts(await contactsOf(owner), c.contacts);
      });
    }

    await t.step("encoding=mac (and its other names) reads Mac Roman; a wrong one is refused with 422", async () => {
      for (const name of ["mac", "macintosh", "x-mac-roman", "MacRoman"]) {
        const owner = await fresh("exports-mac");
        const job = await importAndWait(owner, fixture("excel_mac_roman_cr.csv"), { encoding: name });
        assertEquals([job.status, job.encoding, job.created], ["completed", "macintosh", 3], name);
        assertEquals((await contactsOf(owner)).map((c) => c.name), ["Amélie Dupont", "François Lefèvre", "Jürgen Müller"]);
      }
      const owner = await fresh("exports-mac-bad");
      assertError(await upload(await owner.token(), fixture("excel_mac_roman_cr.csv"), { encoding: "mac-cyrillic" }), 422, "validation_failed");
    });

    await t.step("a sep= line naming a delimiter the import does not read is refused with 422 before any job is made", async () => {
      const owner = await fresh("exports-sep-colon");
      const refused = await upload(await owner.token(), "sep=:\nfirst_name:email\nAda:ada@example.com\n");
      assertError(refused, 422, "validation_failed");
      assertEquals(refused.body.message,
        `The file's first line, sep=:, names ":" as its delimiter; the import reads , ; tab and |: save the file with one of them`);
      assertEquals((await sql(`select 1 from public.contact_import_jobs where user_id = $1`, [owner.id])).length, 0, "no job was made");
    });

    await t.step("header_row names the header's line: the lines before are no rows; a line no row starts on fails the job there", async () => {
      const owner = await fresh("exports-header-row");
      const named = await importAndWait(owner, fixture("linkedin_connections.csv"), { header_row: "4" });
      assertEquals([named.status, named.total_rows, named.created, named.failed], ["completed", 4, 4, 0]);
      // Line 3 is the blank one after the notes: no row starts there, and no row is counted.
      const blank = await importAndWait(owner, fixture("linkedin_connections.csv"), { header_row: "3" });
      assertEquals([blank.status, blank.total_rows, blank.processed_rows, blank.columns], ["failed", 0, 0, null]);
      assertEquals(reasonCodes(await errorLines(await owner.token(), blank.id)), [[3, null, "header_row_not_found"]]);
      // Line 2 starts the quoted paragraph: as a header it has no e-mail column; the job fails on line 2.
      const paragraph = await importAndWait(owner, fixture("linkedin_connections.csv"), { header_row: "2" });
      assertEquals([paragraph.status, paragraph.total_rows, paragraph.processed_rows], ["failed", 5, 0]);
      assertEquals(reasonCodes(await errorLines(await owner.token(), paragraph.id)), [[2, null, "missing_required_column"]]);
      // A header row past the end of the file.
      const past = await importAndWait(owner, fixture("linkedin_connections.csv"), { header_row: "40" });
      assertEquals([past.status, past.total_rows], ["failed", 0]);
      assertEquals(reasonCodes(await errorLines(await owner.token(), past.id)), [[40, null, "header_row_not_found"]]);
      for (const bad of ["0", "-1", "1.5", "two"]) {
        assertError(await upload(await owner.token(), fixture("linkedin_connections.csv"), { header_row: bad }), 422, "validation_failed");
      }
    });

    await t.step("a LinkedIn file read in many slices of one batch: resumes after its preamble, counts and lines exact", async () => {
      const gateway = await startLimitedGateway({
        wallClockMs: 60_000,
        memoryMb: 256,
        // Batches of two rows, and a slice stops after its first: every batch is resumed from the
        // position the one before it saved.
        env: { IMPORT_BATCH_ROWS: "2", IMPORT_SLICE_WALL_MS: "1" },
      });
      try {
        const owner = await fresh("exports-slices");
        const rows = Array.from({ length: 9 }, (_, i) =>
          i === 4 ? "Bad,Row,https://example.com/bad,not-an-address,X,Y,01 Jan 2020" : `P${i},"Multi\nLine",https://example.com/${i},p${i}@example.com,C,T,01 Jan 2020`
        );
        const csv = 'Notes:\r\n"When exporting your connection data, you may notice, that\r\nsome are missing."\r\n\r\n' +
          "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n" + rows.join("\r\n") + "\r\n";
        const job = await importAndWait(owner, csv, {}, gateway.url);
        assertEquals([job.status, job.total_rows, job.created, job.updated, job.skipped, job.failed], ["completed", 9, 8, 0, 0, 1]);
        assertAccounting(job);
        assert(job.slices >= 5, `handed on between slices (${job.slices})`);
        // The header is on line 5; each good row takes two lines (a quoted line break): the bad one,
        // the fifth row, starts on line 6 + 4 * 2 = 14.
        assertEquals(reasonCodes(await errorLines(await owner.token(), job.id, { base: gateway.url })), [[14, "Email Address", "invalid_email"]]);
        assertEquals((await contactsOf(owner)).length, 8);
      } finally {
        await gateway.stop();
      }
    });
  } finally {
    await removeOwners(...owners);
  }
});
