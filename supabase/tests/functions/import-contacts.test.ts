// import-contacts end to end: the real gateway, function, database and tokens. A corpus of bad and
// tricky CSV files (supabase/tests/fixtures/import; large ones are generated here), each with its
// final status, exact counts and error report; then idempotency, duplicates and policies, undo,
// dry runs, concurrency, limits, and every way another owner, an agent or an attacker could try.
import { assert, assertEquals, assertExists, assertMatch } from "@std/assert/mod.js";
import { encodeHex } from "@std/encoding/hex.js";
import { assertError, assertGuarded } from "./_support/http.ts";
import type { FunctionRegion } from "@supabase/supabase-js";
import Papa from "papaparse";
import pg from "pg";
import {
  answerBeforeBody,
  collect,
  type CorpusCase,
  errorLines,
  type ExpectedLine,
  FN,
  generatedCsv,
  getJob,
  type Job,
  storedFile,
  storedUploads,
  upload,
  uploadStalling,
  waitForJob,
} from "./_support/import.ts";
import { call, createOwner, type Owner, removeOwners, serviceClient, sql, stack, userClient } from "./_support/stack.ts";
import { LocalFolderStorage } from "../../functions/_shared/storage.ts";

const FIXTURES = new URL("../fixtures/import/", import.meta.url);
const fixture = (name: string) => new Blob([Deno.readFileSync(new URL(name, FIXTURES)) as BlobPart]);

type Line = ExpectedLine;
interface Case extends CorpusCase {
  check?: (owner: Owner, job: Job) => Promise<void>;
}

const contactsOf = (owner: Owner) =>
  sql<{ first_name: string | null; last_name: string | null; display_name: string; organization: string | null; metadata: Record<string, string>; tags: string[]; source: string; external_id: string | null; channels: string[] }>(
    `select c.first_name, c.last_name, c.display_name, c.organization, c.metadata, c.tags, c.source, c.external_id,
       coalesce(array_agg(ch.channel_type || ':' || ch.normalized_identifier || ':' || ch.consent_status order by ch.channel_type, ch.normalized_identifier)
         filter (where ch.id is not null), '{}') as channels
     from public.contacts c left join public.contact_communication_channels ch on ch.contact_id = c.id
     where c.user_id = $1 group by c.id order by c.display_name`,
    [owner.id],
  );

const CORPUS: Case[] = [
  { file: "01_basic.csv", status: "completed", total: 3, counts: [3, 0, 0, 0], errors: [], check: async (owner) => {
    const rows = await contactsOf(owner);
    assertEquals(rows.map((r) => r.display_name), ["Ada Lovelace", "Alan Turing", "Grace Hopper"]);
    assertEquals(rows[0].channels, ["email:ada@example.com:unknown", "phone:+442079460018:unknown"]);
    assert(rows.every((r) => r.source === "import"));
  } },
  { file: "02_utf8_bom.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], encoding: "utf-8", check: async (owner) => {
    assertEquals((await contactsOf(owner)).map((r) => [r.first_name, r.organization]), [["Søren", null], ["Zoë", "Café Ñandú"]]);
  } },
  { file: "03_semicolon.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], delimiter: ";", check: async (owner) => {
    assertEquals((await contactsOf(owner))[0].metadata, { revenue: "1.234,56" });
  } },
  { file: "04_tab.tsv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], delimiter: "\t", check: async (owner) => {
    assertEquals((await contactsOf(owner))[0].organization, "Engines, Ltd");
  } },
  { file: "05_windows1252.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], encoding: "windows-1252", check: async (owner) => {
    const rows = await contactsOf(owner);
    assertEquals(rows.map((r) => r.display_name), ["Françoise Dégas", "José Müller"]);
    assertEquals(rows[0].metadata.city, "Besançon – 5€");
  } },
  { file: "06_utf16le_bom.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], encoding: "utf-16le", check: async (owner) => {
    assertEquals((await contactsOf(owner)).map((r) => r.organization), ["Engines", "東京"]);
  } },
  { file: "07_utf16be_bom.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], encoding: "utf-16be", check: async (owner) => {
    assertEquals((await contactsOf(owner)).map((r) => r.display_name), ["Ada Lovelace", "Kōji Tanaka"]);
  } },
  { file: "08_utf16le_no_bom.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], encoding: "utf-16le" },
  { file: "09_quoted_newlines.csv", status: "completed", total: 3, counts: [3, 0, 0, 0], errors: [], check: async (owner) => {
    const rows = await contactsOf(owner);
    assertEquals(rows.find((r) => r.last_name === "Lovelace")!.metadata.notes, "first line\nsecond line");
    const grace = rows.find((r) => r.last_name === "Hopper")!;
    assertEquals(grace.first_name, 'Grace "Amazing"');
    assertEquals(grace.metadata.notes, 'says "hi", then\n\nleaves');
  } },
  { file: "10_unterminated_quote.csv", status: "completed", total: 3, counts: [2, 0, 0, 1], errors: [[3, null, "unterminated_quote"]] },
  { file: "11_empty.csv", status: "failed", total: 0, counts: [0, 0, 0, 0], errors: [[1, null, "empty_file"]] },
  { file: "12_header_only.csv", status: "completed", total: 0, counts: [0, 0, 0, 0], errors: [] },
  { file: "13_missing_email_column.csv", status: "failed", total: 1, counts: [0, 0, 0, 0], errors: [[1, null, "missing_required_column"]] },
  { file: "14_duplicate_headers.csv", status: "failed", total: 1, counts: [0, 0, 0, 0], errors: [[1, "Email", "duplicate_header"]] },
  { file: "15_extra_cells.csv", status: "completed", total: 3, counts: [2, 0, 0, 1], errors: [[3, null, "too_many_fields"]] },
  { file: "16_missing_cells.csv", status: "completed", total: 3, counts: [2, 0, 0, 1], errors: [[3, null, "too_few_fields"]] },
  { file: "17_blank_lines.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [] },
  { file: "18_duplicates_in_file.csv", status: "completed", total: 4, counts: [2, 0, 2, 0], errors: [[4, null, "duplicate_in_file"], [5, null, "duplicate_in_file"]], check: async (owner) => {
    assertEquals((await contactsOf(owner)).map((r) => r.display_name), ["Ada Lovelace", "Grace Hopper"]);
  } },
  { file: "19_phones_many_formats.csv", options: { default_country: "GB" }, status: "completed", total: 10, counts: [8, 0, 0, 2], errors: [[9, "phone", "invalid_phone"], [10, "phone", "invalid_phone"]], check: async (owner) => {
    const phones = (await contactsOf(owner)).flatMap((r) => r.channels.filter((c) => c.startsWith("phone:")).map((c) => c.split(":")[1])).sort();
    assertEquals(phones, ["+14155550101", "+33142685300", "+442079460018", "+442079460019", "+442079460020", "+4930901820", "+81332249999", "+919876543210"]);
  } },
  { file: "20_invalid_emails.csv", status: "completed", total: 6, counts: [1, 0, 0, 5], errors: [[3, "email", "invalid_email"], [4, "email", "invalid_email"], [5, "email", "invalid_email"], [6, "email", "invalid_email"], [7, "email", "invalid_email"]] },
  { file: "21_formula_injection.csv", status: "completed", total: 3, counts: [1, 0, 0, 2], errors: [[2, "email", "invalid_email"], [3, "email", "invalid_email"]], check: async (owner) => {
    const [carol] = await contactsOf(owner);
    assertEquals([carol.first_name, carol.metadata.notes], ["@SUM(A1)", "@note"], "stored as text, as given");
  } },
  { file: "22_html_and_control_chars.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], check: async (owner) => {
    const rows = await contactsOf(owner);
    assertEquals(rows.find((r) => r.last_name === "O'Neil")!.first_name, "<script>alert(1)</script>");
    assertEquals(rows.find((r) => r.last_name === "O'Neil")!.metadata.bio, "<b>bold</b> & \x01\x07 bell");
  } },
  { file: "23_crlf.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], check: async (owner) => {
    assertEquals((await contactsOf(owner))[0].channels, ["email:ada@example.com:unknown"], "no carriage return left in the last field");
  } },
  { file: "24_cr_only.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [] },
  { file: "25_no_trailing_newline.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [] },
  { file: "26_whitespace_and_case.csv", status: "completed", total: 1, counts: [1, 0, 0, 0], errors: [], check: async (owner) => {
    const [ada] = await contactsOf(owner);
    assertEquals([ada.first_name, ada.last_name, ada.channels], ["Ada", "Lovelace", ["email:ada@example.com:unknown"]]);
  } },
  { file: "27_custom_fields.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], check: async (owner) => {
    const [ada, grace] = await contactsOf(owner);
    assertEquals(ada.metadata, { favourite_colour: "Blue", customer_tier: "Gold" });
    assertEquals(ada.tags, ["vip", "newsletter"]);
    assertEquals([grace.metadata, grace.tags], [{ customer_tier: "Silver" }, []]);
  } },
  { file: "28_consent_columns.csv", status: "completed", total: 4, counts: [3, 0, 0, 1], errors: [[5, "email_consent", "invalid_consent"]], check: async (owner, job) => {
    assertEquals((await contactsOf(owner)).map((r) => r.channels[0]), [
      "email:ada@example.com:granted", "email:alan@example.com:unknown", "email:grace@example.com:withdrawn",
    ]);
    const events = await sql<{ status: string; source: string; source_ref: string }>(
      `select status, source, source_ref from public.contact_consent_events where user_id = $1 order by status`, [owner.id]);
    assertEquals(events, [
      { status: "granted", source: "import", source_ref: job.id },
      { status: "withdrawn", source: "import", source_ref: job.id },
    ], "consent columns are recorded as consent events with source import and the job id");
  } },
  { file: "29_identifier_conflict.csv", status: "completed", total: 2, counts: [1, 0, 0, 1], errors: [[3, "phone", "identifier_conflict"]] },
  { file: "30_pipe_delimiter.csv", status: "completed", total: 1, counts: [1, 0, 0, 0], errors: [], delimiter: "|" },
  { file: "31_only_delimiters.csv", status: "completed", total: 3, counts: [1, 0, 2, 0], errors: [[2, null, "empty_row"], [4, null, "empty_row"]] },
  { file: "32_nul_byte.csv", status: "completed", total: 2, counts: [1, 0, 0, 1], errors: [[2, "last_name", "invalid_character"]] },
  {
    file: "33_external_id_mapping.csv",
    options: { dedupe_key: "external_id", mapping: JSON.stringify({ "Customer No": "external_id", Vorname: "first_name", Nachname: "last_name", Mail: "email" }) },
    status: "completed", total: 3, counts: [2, 0, 1, 0], errors: [[4, null, "duplicate_in_file"]],
    check: async (owner) => assertEquals((await contactsOf(owner)).map((r) => r.external_id), ["C-1", "C-2"]),
  },
  { file: "34_forced_utf8_invalid_bytes.csv", options: { encoding: "utf-8" }, status: "completed", total: 2, counts: [1, 0, 0, 1], errors: [[3, null, "invalid_encoding"]] },
  { file: "35_missing_name.csv", status: "completed", total: 2, counts: [1, 0, 0, 1], errors: [[2, null, "missing_name"]], check: async (owner) => {
    assertEquals((await contactsOf(owner))[0].display_name, "lonely@example.com", "an identifier stands in for a missing name");
  } },
  { file: "36_quote_inside_unquoted_field.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], check: async (owner) => {
    assertEquals((await contactsOf(owner)).map((r) => r.last_name), ["Lovelace", 'O"Neal']);
  } },
  { file: "37_too_long_values.csv", status: "completed", total: 2, counts: [1, 0, 0, 1], errors: [[2, "first_name", "value_too_long"]] },
  // PostgreSQL cannot store U+0000, nor half of a surrogate pair cut off by the 200-character
  // excerpt: such text in the error report would roll the batch back, and every retry with it.
  {
    file: "38_unstorable_text_in_bad_rows.csv", options: { encoding: "utf-8" }, status: "completed", total: 6, counts: [2, 0, 0, 4],
    errors: [[2, "first_name", "invalid_character"], [4, null, "invalid_encoding"], [5, "first_name", "value_too_long"], [6, null, "unterminated_quote"]],
    check: async (owner, job) => {
      const lines = await errorLines(await owner.token(), job.id);
      assertEquals(lines.map((l) => l.value_excerpt), ["AB", "E\uFFFD,e@example.com", "x".repeat(199), '"CD,c@example.com']);
    },
  },
  // Parsed together, a,"b"x and the next record would share a quoted field, and the first row
  // would import with the second one's e-mail address: each record is parsed on its own.
  { file: "39_quotes_across_records.csv", status: "completed", total: 3, counts: [1, 0, 0, 2], errors: [[2, null, "too_few_fields"], [3, null, "too_few_fields"]], check: async (owner) => {
    assertEquals((await contactsOf(owner)).map((r) => r.channels), [["email:grace@example.com:unknown"]]);
  } },
  // Latin-1 whose one non-ASCII byte is the file's last: in the first 64 KB it could be the start of
  // a UTF-8 character cut off, so only the whole file settles it.
  { file: "40_latin1_last_byte_only.csv", status: "completed", total: 1, counts: [1, 0, 0, 0], errors: [], encoding: "windows-1252", check: async (owner) => {
    assertEquals((await contactsOf(owner))[0].metadata.city, "Bogotá");
  } },
  // Two columns and a blank line: the delimiter is guessed from the rows alone.
  { file: "42_two_columns_semicolon.csv", status: "completed", total: 2, counts: [2, 0, 0, 0], errors: [], delimiter: ";" },
  // Headers in other scripts name their custom fields in their own letters (Latin ones lose their
  // accents, as ever), and a mapping may name such a key.
  {
    file: "41_non_latin_headers.csv", options: { mapping: JSON.stringify({ "部署": "metadata.部門" }) }, status: "completed", total: 1,
    counts: [1, 0, 0, 0], errors: [], check: async (owner) => {
      assertEquals((await contactsOf(owner))[0].metadata, { "имя": "Иван", "会社": "トヨタ", "部門": "営業", citta: "Roma" });
    },
  },
  // Names spelt with combining marks (a macOS export) are stored composed (NFC), as the database
  // stores every name, so the same file again changes nothing.
  {
    file: "43_names_in_combining_marks.csv", status: "completed", total: 3, counts: [3, 0, 0, 0], errors: [], check: async (owner) => {
      assertEquals((await contactsOf(owner)).map((c) => [c.display_name, c.organization]), [
        ["Am\u00e9lie Lindqvist", null],
        ["S\u00f8ren Kierkegaard", "K\u00f8benhavns Universitet"],
        ["Zo\u00eb Ng", "Cr\u00e8me Br\u00fbl\u00e9e Ltd"],
      ]);
      const again = await importAndWait(owner, fixture("43_names_in_combining_marks.csv"), { force: "true", on_duplicate: "update" });
      assertEquals([again.created, again.updated, again.skipped, again.failed], [0, 3, 0, 0]);
      const changed = await sql(`select previous from public.contact_import_changes where job_id = $1`, [again.id]);
      assert(changed.every((c) => JSON.stringify(c.previous) === "{}"), "the same names in the same form: no field changed");
    },
  },
];

const reasonCodes = (lines: { row_number: number; column_name: string | null; reason: string }[]): Line[] =>
  lines.map((l) => [l.row_number, l.column_name, l.reason.split(":")[0]]);

const localFolder = () => new LocalFolderStorage(Deno.env.get("SUPABASE_LOCAL_STORAGE_DIR")!);

/** The version the local Storage folder names for a file of the owner's folder. */
async function storedVersion(ownerId: string, name: string): Promise<string | null> {
  const read = (await localFolder().read({ bucket: "imports", path: `${ownerId}/${name}` }))!;
  await read.body.cancel();
  return read.version;
}

/**
 * A job of 01_basic.csv put in the owner's Storage folder as `name`, as the intake of that file
 * leaves it, with the file's version unless `versioned` is false (a caller of before); with
 * `force`, another job of the same file. It runs when resumed.
 */
async function basicFileJob(ownerId: string, name: string, { force = false, versioned = true } = {}): Promise<string> {
  const bytes = Deno.readFileSync(new URL("01_basic.csv", FIXTURES));
  Deno.writeFileSync(storedFile(ownerId, name), bytes);
  const [{ job_id: id }] = await sql<{ job_id: string }>(
    `select job_id from private.create_import_job($1, $2, $3, $4, $5, 'storage', '{}', '{}', false, 3, $6, $7)`,
    [ownerId, name, bytes.length, encodeHex(await crypto.subtle.digest("SHA-256", bytes)), `imports/${ownerId}/${name}`, force,
      versioned ? await storedVersion(ownerId, name) : null],
  );
  return id;
}

async function importAndWait(owner: Owner, body: BodyInit, options: Record<string, string> = {}): Promise<Job> {
  const token = await owner.token();
  const response = await upload(token, body, options);
  assert(response.status === 202 || response.status === 200, `upload: ${response.status} ${JSON.stringify(response.body)}`);
  return await waitForJob(token, response.body.id);
}

/** Exact accounting: every row is created, updated, skipped or failed, and nothing else. */
function assertAccounting(job: Job): void {
  assertEquals(job.created + job.updated + job.skipped + job.failed, job.processed_rows, "counts add up to the rows processed");
  if (job.status === "completed") assertEquals(job.processed_rows, job.total_rows, "a completed job processed every row");
}

Deno.test("import-contacts", { sanitizeResources: false, sanitizeOps: false }, async (t) => {
  const owner = await createOwner("import-owner");
  const stranger = await createOwner("import-stranger");
  const owners = [owner, stranger];
  const fresh = async (label: string) => {
    const o = await createOwner(label);
    owners.push(o);
    return o;
  };
  try {
    await t.step(`a corpus of ${CORPUS.length + 2} bad and tricky files: status, exact counts and error report of each`, async (t) => {
      assert(CORPUS.length + 2 >= 30);
      for (const c of CORPUS) {
        await t.step(c.file, async () => {
          const o = await fresh("corpus");
          const job = await importAndWait(o, fixture(c.file), { force: "true", ...c.options });
          assertEquals(job.status, c.status, `${c.file}: ${job.error_summary}`);
          assertEquals(job.total_rows, c.total, "total rows");
          assertEquals([job.created, job.updated, job.skipped, job.failed], c.counts, "created, updated, skipped, failed");
          assertAccounting(job);
          const lines = await errorLines(await o.token(), job.id);
          assertEquals(reasonCodes(lines), c.errors, "error report");
          for (const line of lines) assert(line.reason.length > line.reason.split(":")[0].length + 2, "each reason says why");
          if (c.encoding) assertEquals(job.encoding, c.encoding);
          if (c.delimiter) assertEquals(job.delimiter, c.delimiter);
          await c.check?.(o, job);
        });
      }

      await t.step("a 1 MB single cell (generated): the row fails with value_too_long, the others import", async () => {
        const o = await fresh("corpus-big-cell");
        const cell = "x".repeat(1024 * 1024);
        const csv = `first_name,email,notes\nAda,ada@example.com,"${cell}"\n${cell},big@example.com,n\nGrace,grace@example.com,ok\n`;
        const job = await importAndWait(o, csv);
        assertEquals([job.status, job.total_rows, job.created, job.failed], ["completed", 3, 1, 2]);
        const lines = await errorLines(await o.token(), job.id);
        assertEquals(reasonCodes(lines), [[2, "notes", "value_too_long"], [3, "first_name", "value_too_long"]]);
        assertEquals(lines[0].value_excerpt, "x".repeat(200), "the excerpt is cut at 200 characters");
      });

      await t.step("a file over the row limit (generated, 1,048,577 rows): 413 before any job exists", async () => {
        const o = await fresh("corpus-over-limit");
        const response = await upload(await o.token(), generatedCsv(1_048_577, { extra: (i) => `A,B,a${i}@x.io,,,\n` }));
        assertError(response, 413, "payload_too_large");
        assertMatch(response.body.message!, /more than 1048576 rows/);
        assertEquals((await sql(`select 1 from public.contact_import_jobs where user_id = $1`, [o.id])).length, 0);
      });
    });

    await t.step("rows the database refuses (custom fields past 64 KB, tags past 100) fail alone; the batch's others import", async () => {
      const o = await fresh("refused");
      const [tagged] = await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name, tags) select $1, 'Tagged', array(select 't' || n from generate_series(1, 95) as n)
         returning id`, [o.id]);
      await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
                 values ($1, $2, 'email', 'tagged@example.com')`, [o.id, tagged.id]);
      // 36,000 characters of custom fields pass the row's own limits, but are 72 KB stored.
      const wide = "é".repeat(9000);
      const csv = "first_name,email,a,b,c,d,tags\n" +
        "Before,before@example.com,,,,,\n" +
        `Wide,wide@example.com,${wide},${wide},${wide},${wide},\n` +
        'Tagged,tagged@example.com,,,,,"n1,n2,n3,n4,n5,n6,n7,n8,n9,n10"\n' +
        "After,after@example.com,,,,,\n";
      const preview = await importAndWait(o, csv, { on_duplicate: "update", dry_run: "true" });
      assertEquals([preview.created, preview.updated, preview.failed], [2, 0, 2], "a dry run foresees the rows the database refuses");
      assertEquals((preview.dry_run_report!.failing as { row: number; reason: string }[]).map((f) => [f.row, f.reason.split(":")[0]]),
        [[3, "custom_fields_too_large"], [4, "too_many_tags"]]);
      const job = await importAndWait(o, csv, { on_duplicate: "update" });
      assertEquals([job.status, job.created, job.updated, job.skipped, job.failed], ["completed", 2, 0, 0, 2]);
      const lines = await errorLines(await o.token(), job.id);
      assertEquals(lines.map((l) => [l.row_number, l.reason.split(":")[0]]), [[3, "custom_fields_too_large"], [4, "too_many_tags"]]);
      assertEquals((await contactsOf(o)).map((c) => c.first_name).sort(), ["After", "Before", "Tagged"]);
      assertEquals((await sql<{ n: number }>(`select cardinality(tags) as n from public.contacts where id = $1`, [tagged.id]))[0].n, 95,
        "the refused row changed nothing");
    });

    await t.step("a row the database fails wins nothing: the next row with its key is written in its place", async () => {
      const o = await fresh("twins");
      const [holder] = await sql<{ id: string }>(`insert into public.contacts (user_id, first_name) values ($1, 'Holder') returning id`, [o.id]);
      await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
                 values ($1, $2, 'phone', '+442079460030')`, [o.id, holder.id]);
      const wide = "é".repeat(9000);
      const csv = "first_name,email,phone,a,b,c,d\n" +
        "Taken,ada@example.com,+442079460030,,,,\n" +
        "Ada,ada@example.com,,,,,\n" +
        "Again,ada@example.com,,,,,\n" +
        `Wide,wide@example.com,,${wide},${wide},${wide},${wide}\n` +
        "Narrow,wide@example.com,,,,,\n";
      const expected = [[2, "phone", "identifier_conflict"], [4, null, "duplicate_in_file"], [5, null, "custom_fields_too_large"]];
      const preview = await importAndWait(o, csv, { dry_run: "true" });
      assertEquals([preview.created, preview.updated, preview.skipped, preview.failed], [2, 0, 1, 2], "a dry run foresees it");
      assertEquals(reasonCodes(await errorLines(await o.token(), preview.id)), expected);
      const job = await importAndWait(o, csv);
      assertEquals([job.status, job.created, job.updated, job.skipped, job.failed], ["completed", 2, 0, 1, 2]);
      assertEquals(reasonCodes(await errorLines(await o.token(), job.id)), expected);
      const contacts = await contactsOf(o);
      assertEquals(contacts.map((c) => [c.first_name, c.channels]).sort(), [
        ["Ada", ["email:ada@example.com:unknown"]], ["Holder", ["phone:+442079460030:unknown"]], ["Narrow", ["email:wide@example.com:unknown"]],
      ], "the twins after the failed rows made the contacts");
    });

    await t.step("the error report as CSV neutralizes formulas and keeps every line", async () => {
      const job = await importAndWait(owner, fixture("21_formula_injection.csv"));
      const response = await fetch(`${stack.url}/functions/v1/${FN}/${job.id}/errors?format=csv`, {
        headers: { Authorization: `Bearer ${await owner.token()}` },
      });
      assertEquals(response.headers.get("content-type"), "text/csv; charset=utf-8");
      const text = await response.text();
      const lines = text.trim().split("\r\n");
      assertEquals(lines[0], "row_number,column,value,reason");
      assertEquals(lines.length, 3);
      assertMatch(lines[1], /^2,email,bad1,"?invalid_email/);
      assertMatch(lines[2], /^3,email,"?'@bad2"?,/, "a leading @ is prefixed with a quote");
      await sql(`delete from public.contacts where user_id = $1`, [owner.id]);
      await sql(`delete from public.contact_import_jobs where user_id = $1`, [owner.id]);
    });

    await t.step("the error report as CSV neutralizes a formula whose value spans lines", async () => {
      const o = await fresh("formula-newline");
      const formula = '=HYPERLINK("http://evil.example",\n"open")';
      const job = await importAndWait(o, `first_name,email\nEve,"${formula.replaceAll('"', '""')}"\n`);
      assertEquals(reasonCodes(await errorLines(await o.token(), job.id)), [[2, "email", "invalid_email"]]);
      const response = await fetch(`${stack.url}/functions/v1/${FN}/${job.id}/errors?format=csv`, {
        headers: { Authorization: `Bearer ${await o.token()}` },
      });
      const rows = Papa.parse<Record<string, string>>(await response.text(), { header: true, skipEmptyLines: true }).data;
      assertEquals(rows.map((r: Record<string, string>) => r.value), [`'${formula}`]);
    });

    await t.step("the error report as CSV neutralizes formulas written with full-width signs", async () => {
      const o = await fresh("formula-full-width");
      const values = ["\uFF1D1+1", "\uFF0B1", "\uFF0D1", "\uFF20SUM(1)"];
      const job = await importAndWait(o, `first_name,email\n${values.map((v) => `Eve,${v}`).join("\n")}\n`);
      const response = await fetch(`${stack.url}/functions/v1/${FN}/${job.id}/errors?format=csv`, {
        headers: { Authorization: `Bearer ${await o.token()}` },
      });
      const rows = Papa.parse<Record<string, string>>(await response.text(), { header: true, skipEmptyLines: true }).data;
      assertEquals(rows.map((r: Record<string, string>) => r.value), values.map((v) => `'${v}`));
    });

    await t.step("supabase-js: invoke with a Blob, watch progress, fetch errors; multipart; a Storage reference", async () => {
      const client = userClient(await owner.token());
      const file = new Blob([await fixture("01_basic.csv").arrayBuffer()], { type: "text/csv" });
      const { data, error } = await client.functions.invoke<Job>(`${FN}?file_name=people.csv`, { body: file });
      assertEquals(error, null);
      assertEquals(data!.file_name, "people.csv");
      const job = await waitForJob(await owner.token(), data!.id);
      assertEquals([job.status, job.created], ["completed", 3]);
      const progress = await client.functions.invoke<Job>(`${FN}/${job.id}`, { method: "GET" });
      assertEquals(progress.data!.percent, 100);

      const form = new FormData();
      form.append("dedupe_key", "email");
      form.append("on_duplicate", "update");
      form.append("file", new Blob([await fixture("18_duplicates_in_file.csv").arrayBuffer()], { type: "text/csv" }), "dupes.csv");
      const multipart = await client.functions.invoke<Job>(FN, { body: form });
      assertEquals(multipart.error, null, JSON.stringify(multipart.error));
      const fromForm = await waitForJob(await owner.token(), multipart.data!.id);
      assertEquals([fromForm.file_name, fromForm.status, fromForm.created, fromForm.updated, fromForm.skipped], ["dupes.csv", "completed", 0, 2, 2]);

      const referenced = storedFile(owner.id, "from-storage.csv");
      Deno.writeFileSync(referenced, Deno.readFileSync(new URL("30_pipe_delimiter.csv", FIXTURES)));
      const stored = await client.functions.invoke<Job>(FN, {
        body: { storage: { bucket: "imports", path: `${owner.id}/from-storage.csv` }, on_duplicate: "merge_fill_empty" },
      });
      assertEquals(stored.error, null);
      const fromStorage = await waitForJob(await owner.token(), stored.data!.id);
      assertEquals([fromStorage.file_name, fromStorage.status, fromStorage.updated], ["from-storage.csv", "completed", 1]);
      assertExists(Deno.statSync(referenced), "a referenced file stays where it is");
      assertEquals(storedUploads(owner.id), ["from-storage.csv"], "uploaded files are removed once their job ends");
    });

    await t.step("the same file twice returns the first job; with force it only updates (no-ops)", async () => {
      const o = await fresh("idempotent");
      const token = await o.token();
      const first = await upload(token, fixture("01_basic.csv"));
      assertEquals(first.status, 202);
      assertEquals(first.body.existing, false);
      assertEquals(first.headers.get("location"), `/functions/v1/${FN}/${first.body.id}`);
      await waitForJob(token, first.body.id);
      const again = await upload(token, fixture("01_basic.csv"));
      assertEquals([again.status, again.body.id, again.body.existing], [200, first.body.id, true]);
      assertEquals(storedUploads(o.id), [], "the file sent again is not kept in Storage");
      const forced = await upload(token, fixture("01_basic.csv"), { force: "true", on_duplicate: "update" });
      assertEquals(forced.status, 202);
      const job = await waitForJob(token, forced.body.id);
      assertEquals([job.created, job.updated, job.skipped, job.failed], [0, 3, 0, 0]);
      assertEquals((await sql(`select count(*)::int as n from public.contacts where user_id = $1`, [o.id]))[0], { n: 3 });
      const changed = await sql(`select previous from public.contact_import_changes where job_id = $1`, [job.id]);
      assert(changed.every((c) => JSON.stringify(c.previous) === "{}"), "no field changed");
    });

    await t.step("rows without any identifier: a re-import of the same file with force updates the contacts it made", async () => {
      const o = await fresh("nameless");
      const csv = "first_name,last_name,company,email\nAda,Lovelace,Engines,\nGrace,Hopper,Navy,\n";
      const first = await importAndWait(o, csv);
      assertEquals([first.created, first.updated], [2, 0]);
      const forced = await importAndWait(o, csv, { force: "true", on_duplicate: "update" });
      assertEquals([forced.status, forced.created, forced.updated, forced.skipped, forced.failed], ["completed", 0, 2, 0, 0]);
      const skipped = await importAndWait(o, csv, { force: "true" });
      assertEquals(reasonCodes(await errorLines(await o.token(), skipped.id)), [[2, null, "duplicate"], [3, null, "duplicate"]]);
      assertEquals((await contactsOf(o)).map((c) => c.display_name), ["Ada Lovelace", "Grace Hopper"], "no contact made twice");
      const another = await importAndWait(o, `${csv}Alan,Turing,Bletchley,\n`, { force: "true", on_duplicate: "update" });
      assertEquals([another.created, another.updated], [3, 0], "another file's rows are new contacts: nothing identifies them");
    });

    await t.step("duplicates of existing contacts: skip, update and merge_fill_empty", async () => {
      const o = await fresh("policies");
      const token = await o.token();
      const existing = (await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name, last_name, organization) values ($1, 'Ada', 'Old', null) returning id`, [o.id],
      ))[0].id;
      await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values ($1, $2, 'email', 'ada@example.com')`, [o.id, existing]);
      const csv = "first_name,last_name,email,company,phone\nAda,Lovelace,ada@example.com,Engines,+442079460018\n";
      const skip = await importAndWait(o, csv);
      assertEquals([skip.skipped, skip.updated], [1, 0]);
      assertEquals(reasonCodes(await errorLines(token, skip.id)), [[2, null, "duplicate"]]);
      const fill = await importAndWait(o, csv, { on_duplicate: "merge_fill_empty", force: "true" });
      assertEquals(fill.updated, 1);
      let [ada] = await contactsOf(o);
      assertEquals([ada.last_name, ada.organization, ada.channels.length], ["Old", "Engines", 2], "only empty fields filled; the new phone added");
      const update = await importAndWait(o, csv, { on_duplicate: "update", force: "true" });
      assertEquals(update.updated, 1);
      [ada] = await contactsOf(o);
      assertEquals([ada.last_name, ada.display_name], ["Lovelace", "Ada Lovelace"], "the display name made from her names follows them");
      const [change] = await sql<{ previous: Record<string, unknown> }>(`select previous from public.contact_import_changes where job_id = $1`, [update.id]);
      assertEquals(change.previous, { last_name: "Old", display_name: "Ada Old" });
    });

    await t.step("under update a new address from the file becomes the primary one, and undo gives the flag back", async () => {
      const o = await fresh("new-primary");
      const token = await o.token();
      const [{ id }] = await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name, last_name) values ($1, 'Ada', 'Lovelace') returning id`, [o.id]);
      await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary)
        values ($1, $2, 'phone', '+442079460018', true), ($1, $2, 'email', 'ada@old.example', true)`, [o.id, id]);
      const emails = async () =>
        (await sql<{ e: string }>(`select identifier || case when is_primary then ' (primary)' else '' end as e
          from public.contact_communication_channels where contact_id = $1 and channel_type = 'email' order by 1`, [id])).map((r) => r.e);
      const csv = "first_name,last_name,phone,email\nAda,Lovelace,+44 20 7946 0018,ada@new.example\n";
      const preview = await importAndWait(o, csv, { dedupe_key: "phone", on_duplicate: "update", dry_run: "true" });
      assertEquals((preview.dry_run_report!.changed as { changes: Record<string, unknown> }[])[0].changes,
        { primary_email: { from: "ada@old.example", to: "ada@new.example" } });
      const job = await importAndWait(o, csv, { dedupe_key: "phone", on_duplicate: "update" });
      assertEquals([job.status, job.updated], ["completed", 1]);
      assertEquals(await emails(), ["ada@new.example (primary)", "ada@old.example"]);
      const response = await call(FN, { method: "DELETE", path: `/${job.id}`, token });
      assertEquals(response.status, 200, JSON.stringify(response.body));
      assertEquals(await emails(), ["ada@old.example (primary)"]);
    });

    await t.step("a row with only an external id updates the contact that has it; one that would create fails missing_name, in a dry run alike", async () => {
      const o = await fresh("external-id-only");
      await sql(`insert into public.contacts (user_id, display_name, external_id) values ($1, 'Ada Lovelace', 'C-1')`, [o.id]);
      // An ignored column is dropped unread: a long value in it fails nothing.
      const csv = `External ID,Segment,Internal Notes\nC-1,Gold,${"x".repeat(500)}\nC-9,Silver,\n`;
      const options = { dedupe_key: "external_id", on_duplicate: "update", mapping: JSON.stringify({ "Internal Notes": "ignore" }), force: "true" };
      for (const dryRun of [true, false]) {
        const job = await importAndWait(o, csv, { ...options, ...(dryRun ? { dry_run: "true" } : {}) });
        assertEquals([job.status, job.created, job.updated, job.skipped, job.failed], ["completed", 0, 1, 0, 1], dryRun ? "dry run" : "import");
        assertEquals(reasonCodes(await errorLines(await o.token(), job.id)), [[3, null, "missing_name"]], dryRun ? "dry run" : "import");
      }
      assertEquals((await contactsOf(o)).map((c) => [c.display_name, c.external_id, c.metadata]), [["Ada Lovelace", "C-1", { segment: "Gold" }]]);
      // Keyed by e-mail, a bare Id column may be the sheet's row numbers: a row with nothing else is empty.
      const numbered = await importAndWait(o, "Id,Email,Segment\nC-1,,Silver\n", { on_duplicate: "update", force: "true" });
      assertEquals([numbered.status, numbered.updated, numbered.failed], ["completed", 0, 1]);
      assertEquals(reasonCodes(await errorLines(await o.token(), numbered.id)), [[2, null, "missing_name"]]);
      assertEquals((await contactsOf(o))[0].metadata, { segment: "Gold" }, "the contact whose external id the row number equals is untouched");
    });

    await t.step("a file of a byte-order mark alone fails as empty, as an empty file does", async () => {
      const o = await fresh("bom-only");
      const job = await importAndWait(o, new Blob([new Uint8Array([0xef, 0xbb, 0xbf])]));
      assertEquals([job.status, job.total_rows], ["failed", 0]);
      assertEquals(reasonCodes(await errorLines(await o.token(), job.id)), [[1, null, "empty_file"]]);
    });

    await t.step("an unsubscribe list imported into existing contacts withdraws their consent", async () => {
      const o = await fresh("unsubscribe");
      await importAndWait(o, "first_name,email,email_consent\nAda,ada@example.com,yes\nGrace,grace@example.com,yes\n");
      const job = await importAndWait(o, "email,email_consent\nada@example.com,unsubscribed\n", { on_duplicate: "update" });
      assertEquals([job.status, job.created, job.updated], ["completed", 0, 1]);
      assertEquals((await contactsOf(o)).map((c) => c.channels), [["email:ada@example.com:withdrawn"], ["email:grace@example.com:granted"]]);
      const [event] = await sql(`select status, source, source_ref from public.contact_consent_events where user_id = $1 order by id desc limit 1`, [o.id]);
      assertEquals(event, { status: "withdrawn", source: "import", source_ref: job.id });
    });

    await t.step("dedupe by phone: a number matches its contact whether the file gives it as phone, SMS or WhatsApp", async () => {
      const o = await fresh("phone-key");
      const token = await o.token();
      const phones = await importAndWait(o, "first_name,mobile\nAda,07700 900101\nGrace,+44 7700 900102\n", { dedupe_key: "phone", default_country: "GB" });
      assertEquals([phones.created, phones.failed], [2, 0]);
      // A WhatsApp export of the same people, one new; and a second row giving Ada's number as SMS.
      const csv = "first_name,last_name,whatsapp,sms\nAda,Lovelace,+447700900101,\nGrace,Hopper,447700900102,\nLin,,+447700900103,\nAda,,,07700900101\n";
      const whatsapp = await importAndWait(o, csv, { dedupe_key: "phone", default_country: "GB", on_duplicate: "merge_fill_empty" });
      assertEquals([whatsapp.created, whatsapp.updated, whatsapp.skipped, whatsapp.failed], [1, 2, 1, 0]);
      assertEquals(reasonCodes(await errorLines(token, whatsapp.id)), [[5, null, "duplicate_in_file"]]);
      const contacts = await contactsOf(o);
      assertEquals(contacts.map((c) => [c.first_name, c.last_name, c.channels.map((ch) => ch.split(":").slice(0, 2).join(":"))]), [
        ["Ada", "Lovelace", ["phone:+447700900101", "whatsapp:+447700900101"]],
        ["Grace", "Hopper", ["phone:+447700900102", "whatsapp:+447700900102"]],
        ["Lin", null, ["whatsapp:+447700900103"]],
      ], "no second contact for a number already known; the WhatsApp channel joins the phone, the empty last name is filled");
    });

    await t.step("undo removes what the job created and restores what it updated, unless changed since", async () => {
      const o = await fresh("undo");
      const token = await o.token();
      const group = (await sql<{ id: string }>(`insert into public.contact_groups (user_id, name) values ($1, 'Imported') returning id`, [o.id]))[0].id;
      const keep = (await sql<{ id: string }>(
        `insert into public.contacts (user_id, first_name, last_name) values ($1, 'Grace', 'Original') returning id`, [o.id],
      ))[0].id;
      await sql(`insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values ($1, $2, 'email', 'grace@example.com')`, [o.id, keep]);
      const job = await importAndWait(o, fixture("01_basic.csv"), { on_duplicate: "update", group_id: group });
      assertEquals([job.created, job.updated], [2, 1]);
      assertEquals((await sql(`select 1 from public.contact_group_memberships where group_id = $1`, [group])).length, 3);
      // Someone edits Alan after the import: undo must leave him.
      await sql(`update public.contacts set job_title = 'Codebreaker' where user_id = $1 and first_name = 'Alan'`, [o.id]);
      const response = await call(FN, { method: "DELETE", path: `/${job.id}`, token });
      assertEquals(response.status, 200, JSON.stringify(response.body));
      const undone = response.body as Job & { undo: Record<string, unknown> };
      assertEquals(undone.undo, { removed: 1, restored: 1, kept: 1, done: true });
      assertExists(undone.undone_at);
      const rows = await contactsOf(o);
      assertEquals(rows.map((r) => r.display_name), ["Alan Turing", "Grace Original"]);
      assertEquals(rows[1].channels, ["email:grace@example.com:unknown"], "the phone the import added is gone");
      assertEquals((await sql(`select 1 from public.contact_group_memberships where group_id = $1`, [group])).length, 1, "only the kept contact stays in the group");
      assertError(await call(FN, { method: "POST", path: `/${job.id}/undo`, token }), 409, "conflict");
    });

    await t.step("a dry run writes no contacts and reports would-be counts with a sample of every change", async () => {
      const o = await fresh("dry-run");
      const token = await o.token();
      await importAndWait(o, "first_name,email\nAda,ada@example.com\n");
      const before = await sql(`select (select count(*) from public.contacts where user_id = $1)::int as contacts,
        (select count(*) from public.contact_communication_channels where user_id = $1)::int as channels,
        (select count(*) from public.contact_import_changes where user_id = $1)::int as changes`, [o.id]);
      const csv = "first_name,last_name,email\nAda,Lovelace,ada@example.com\nGrace,Hopper,grace@example.com\nGrace,Again,grace@example.com\nBad,Email,nope\n";
      const job = await importAndWait(o, csv, { dry_run: "true", on_duplicate: "update" });
      assertEquals([job.status, job.created, job.updated, job.skipped, job.failed], ["completed", 1, 1, 1, 1]);
      assertEquals(job.dry_run_report!.new, [{ row: 3, display_name: "Grace Hopper", identifiers: ["grace@example.com"] }]);
      assertEquals((job.dry_run_report!.changed as { changes: unknown }[])[0].changes, {
        last_name: { from: null, to: "Lovelace" },
        display_name: { from: "Ada", to: "Ada Lovelace" },
      });
      assertEquals((job.dry_run_report!.failing as { row: number }[]).map((f) => f.row), [5]);
      const after = await sql(`select (select count(*) from public.contacts where user_id = $1)::int as contacts,
        (select count(*) from public.contact_communication_channels where user_id = $1)::int as channels,
        (select count(*) from public.contact_import_changes where user_id = $1)::int as changes`, [o.id]);
      assertEquals(after, before, "nothing written");
      assertEquals((await sql(`select 1 from private.contact_import_dry_run_claims where job_id = $1`, [job.id])).length, 0, "scratch cleared");
      // A row that only adds: a custom field, a tag and a phone are shown as the import would write them.
      const adding = await importAndWait(o, "email,phone,segment,tags\nada@example.com,+442079460018,vip,speaker\n", {
        dry_run: "true", on_duplicate: "merge_fill_empty", mapping: JSON.stringify({ segment: "metadata.segment" }),
      });
      assertEquals(adding.dry_run_report!.changed, [{
        row: 2,
        contact_id: (await sql<{ id: string }>(`select id from public.contacts where user_id = $1`, [o.id]))[0].id,
        changes: { metadata: { from: {}, to: { segment: "vip" } }, tags: { from: [], to: ["speaker"] } },
        new_channels: [{ type: "phone", identifier: "+442079460018" }],
      }]);
      const real = await upload(token, csv, { on_duplicate: "update" });
      assertEquals(real.status, 202, "a dry run does not make the real import a duplicate");
      assertError(await call(FN, { method: "DELETE", path: `/${job.id}`, token }), 409, "conflict");
      await waitForJob(token, real.body.id);
    });

    await t.step("two concurrent imports of overlapping files create no duplicate contacts", async () => {
      const o = await fresh("concurrent");
      const token = await o.token();
      const [a, b] = await Promise.all([
        collect(generatedCsv(3000, { from: 0 })),
        collect(generatedCsv(3000, { from: 2000 })),
      ]);
      const [ra, rb] = await Promise.all([upload(token, new Blob([a as BlobPart])), upload(token, new Blob([b as BlobPart]))]);
      const [ja, jb] = await Promise.all([waitForJob(token, ra.body.id), waitForJob(token, rb.body.id)]);
      assertEquals([ja.status, jb.status], ["completed", "completed"]);
      assertEquals(ja.created + jb.created, 5000);
      assertEquals(ja.skipped + jb.skipped, 1000);
      const [counts] = await sql<{ contacts: number; emails: number }>(
        `select (select count(*) from public.contacts where user_id = $1)::int as contacts,
                (select count(distinct normalized_identifier) from public.contact_communication_channels where user_id = $1 and channel_type = 'email')::int as emails`,
        [o.id],
      );
      assertEquals(counts, { contacts: 5000, emails: 5000 });
    });

    await t.step("cancel stops a job; resume of a cancelled job is refused", async () => {
      const o = await fresh("cancel");
      const token = await o.token();
      const started = await upload(token, generatedCsv(30_000));
      const cancelled = await call(FN, { method: "POST", path: `/${started.body.id}/cancel`, token });
      assertEquals(cancelled.status, 200, JSON.stringify(cancelled.body));
      const job = await waitForJob(token, started.body.id);
      assertEquals(job.status, "cancelled");
      assertAccounting(job);
      assert(job.processed_rows < 30_000);
      assertError(await call(FN, { method: "POST", path: `/${job.id}/resume`, token }), 409, "conflict");
      assertEquals(storedUploads(o.id), [], "a cancelled job's upload is removed");
    });

    await t.step("a failed import (a dry run too) can be given up: cancel removes its upload, and it is never resumed", async () => {
      const o = await fresh("give-up");
      const token = await o.token();
      for (const options of [{}, { dry_run: "true" }] as Record<string, string>[]) {
        const job = await importAndWait(o, fixture("14_duplicate_headers.csv"), options);
        assertEquals(job.status, "failed");
        assertEquals(storedUploads(o.id).length, 1, "a failed job keeps its file for resuming");
        const cancelled = await call(FN, { method: "POST", path: `/${job.id}/cancel`, token });
        assertEquals([cancelled.status, (cancelled.body as Job).status], [200, "cancelled"], JSON.stringify(cancelled.body));
        assertEquals(storedUploads(o.id), [], "the given-up job's upload is removed");
        assertError(await call(FN, { method: "POST", path: `/${job.id}/resume`, token }), 409, "conflict");
        const again = await call(FN, { method: "POST", path: `/${job.id}/cancel`, token });
        assertEquals([again.status, (again.body as Job).status], [200, "cancelled"], "cancelling again answers the job as it is");
      }
      // Cancelled directly (the status is the owner's to set where PostgREST runs): the upload is
      // queued for the next retention run, and the function's cancel removes it at once.
      const direct = await importAndWait(o, fixture("14_duplicate_headers.csv"));
      await sql(`update public.contact_import_jobs set status = 'cancelled' where id = $1`, [direct.id]);
      assertEquals(storedUploads(o.id).length, 1);
      assertEquals((await call(FN, { method: "POST", path: `/${direct.id}/cancel`, token })).status, 200);
      assertEquals(storedUploads(o.id), [], "cancel removes what a cancelled job left in Storage");
    });

    await t.step("undo removes the upload a failed job kept for resuming, and the job cannot be resumed then", async () => {
      const o = await fresh("undo-upload");
      const token = await o.token();
      const job = await importAndWait(o, fixture("14_duplicate_headers.csv"));
      assertEquals(job.status, "failed");
      assertEquals(storedUploads(o.id).length, 1, "a failed job keeps its file for resuming");
      const undone = await call(FN, { method: "DELETE", path: `/${job.id}`, token });
      assertEquals(undone.status, 200, JSON.stringify(undone.body));
      assertEquals(storedUploads(o.id), [], "an undone job's upload is removed");
      assertError(await call(FN, { method: "POST", path: `/${job.id}/resume`, token }), 409, "conflict");
    });

    await t.step("an undo stopped between its steps is taken up again by the next read of the job, and finishes", async () => {
      const o = await fresh("undo-stalled");
      const token = await o.token();
      const job = await importAndWait(o, fixture("01_basic.csv"));
      assertEquals(job.created, 3);
      // The first step of an undo (one change of three), whose hand-off was then lost; the job sat idle since.
      await sql(`select private.undo_import_job($1, 1)`, [job.id]);
      await sql(`begin; set local session_replication_role = replica;
        update public.contact_import_jobs set updated_at = now() - interval '1 minute' where id = '${job.id}'; commit`);
      const undone = await waitForJob(token, job.id, { until: (read) => read.undone_at !== null, timeoutMs: 20_000 });
      assertEquals(undone.undo_summary, { removed: 3, restored: 0, kept: 0 });
      assertEquals((await sql(`select 1 from public.contacts where user_id = $1`, [o.id])).length, 0, "every contact the job created is gone");
    });

    await t.step("error pages: lines sharing a row number are not skipped at a page boundary", async () => {
      const o = await fresh("error-pages");
      const token = await o.token();
      const first = await importAndWait(o, fixture("14_duplicate_headers.csv"));
      // Resuming a job that failed at its header fails it again: a second line 1.
      const resumed = await call(FN, { method: "POST", path: `/${first.id}/resume`, token });
      assertEquals(resumed.status, 202, JSON.stringify(resumed.body));
      assertEquals((await waitForJob(token, first.id)).status, "failed");
      const whole = await errorLines(token, first.id);
      assertEquals(reasonCodes(whole), [[1, "Email", "duplicate_header"], [1, "Email", "duplicate_header"]]);
      assertEquals(await errorLines(token, first.id, { limit: 1 }), whole, "one line a page gives the same report");
      type ErrorPage = { errors: unknown[]; next_after: string | null };
      const page = async (after: string, limit: number) =>
        (await call(FN, { method: "GET", path: `/${first.id}/errors?after=${after}&limit=${limit}`, token })).body as ErrorPage;
      const firstOfOne = await page("0", 1);
      assertEquals(firstOfOne.errors.length, 1);
      assertExists(firstOfOne.next_after, "a line follows the first page of one");
      const lastOfOne = await page(firstOfOne.next_after!, 1);
      assertEquals([lastOfOne.errors.length, lastOfOne.next_after], [1, null], "two lines in pages of one: the second page is the last");
      const both = await page("0", 2);
      assertEquals([both.errors.length, both.next_after], [2, null], "two lines in a page of two: no page follows");
      const legacy = await call(FN, { method: "GET", path: `/${first.id}/errors?after=1`, token });
      assertEquals(legacy.body, { errors: [], next_after: null }, "after=<line number> still means the lines after it");
    });

    await t.step("limits: a declared size over 512 MB is refused with 413 before the body is read", async () => {
      // The answer comes while the client still owes 600 MB.
      const reply = await answerBeforeBody(await owner.token(), "text/csv", 600_000_000, "first_name,email\n");
      assertMatch(reply, /^HTTP\/1\.1 413/);
      assertMatch(reply, /payload_too_large/);
      // A CSV body is the file: no allowance for multipart framing, and a lower max_bytes counts too.
      for (const [length, query] of [[512 * 1024 * 1024 + 100_000, ""], [50_000_000, "?max_bytes=1000"]] as const) {
        const early = await answerBeforeBody(await owner.token(), "text/csv", length, "first_name,email\n", query);
        assertMatch(early, /^HTTP\/1\.1 413/, `${length} bytes declared${query}`);
      }
    });

    await t.step("limits: a JSON body declared over 64 KB is refused with 413 before it is read", async () => {
      const reply = await answerBeforeBody(await owner.token(), "application/json", 10 * 1024 * 1024, '{"storage":');
      assertMatch(reply, /^HTTP\/1\.1 413/);
      assertMatch(reply, /"max_bytes":65536/);
    });

    await t.step("limits: a streamed body without a declared size is cut at the size limit with 413", async () => {
      // max_bytes lowers the 512 MB limit for this request. The body never ends: after 8 MB it stalls.
      const row = `Ada,${"x".repeat(200)},ada@example.com\n`;
      const response = await uploadStalling(await owner.token(), row, 8 * 1024 * 1024, { max_bytes: String(1024 * 1024) }, "text/csv");
      assertError(response, 413, "payload_too_large");
      assertEquals((response.body as unknown as { details: unknown }).details, { max_bytes: 1024 * 1024 });
    });

    await t.step("limits: a chunked JSON body over 64 KB is cut at the limit with 413, not read whole", async () => {
      // No Content-Length: the body streams 1 MB of a JSON string, then stalls.
      const response = await uploadStalling(await owner.token(), `{"storage":"${"x".repeat(4096)}`, 1024 * 1024, {}, "application/json");
      assertError(response, 413, "payload_too_large");
      assertEquals((response.body as unknown as { details: unknown }).details, { max_bytes: 64 * 1024 });
    });

    await t.step("limits: multipart uploads over max_rows answer 413 each and leave no partial file", async () => {
      const o = await fresh("multipart-over-limit");
      const token = await o.token();
      // The file goes on well past the limit, so the form is still arriving when the count passes it.
      const file = new Blob([await collect(generatedCsv(80_000)) as BlobPart], { type: "text/csv" });
      for (let attempt = 1; attempt <= 3; attempt++) {
        const form = new FormData();
        form.append("max_rows", "10");
        form.append("file", file, "big.csv");
        const response = await fetch(`${stack.url}/functions/v1/${FN}`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: form });
        const answer = { status: response.status, headers: response.headers, body: await response.json() };
        assertError(answer, 413, "payload_too_large");
        assertEquals(answer.body.details, { max_rows: 10 }, `attempt ${attempt}`);
      }
      assertEquals(storedUploads(o.id), [], "no upload, partial or whole, is left behind");
      assertEquals((await sql(`select 1 from public.contact_import_jobs where user_id = $1`, [o.id])).length, 0);
    });

    await t.step("multipart: a second file part, a field over the count or over 32 KB is refused, and nothing is stored", async () => {
      const o = await fresh("multipart-dropped-parts");
      const token = await o.token();
      const basic = new Blob([await fixture("01_basic.csv").arrayBuffer()], { type: "text/csv" });
      const post = async (form: FormData) => {
        const response = await fetch(`${stack.url}/functions/v1/${FN}`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: form });
        return { status: response.status, headers: response.headers, body: await response.json() };
      };
      // busboy skips a part past its limits and only says so by an event: each of these forms
      // used to make a job of the first file alone, as if the rest had not been sent.
      for (const second of ["file", "other"]) {
        const form = new FormData();
        form.append("file", basic, "first.csv");
        form.append(second, basic, "second.csv");
        const answer = await post(form);
        assertError(answer, 400, "bad_request");
        assertEquals(answer.body.message, "Send exactly one file part, named file", `a second part named ${second}`);
      }
      const crowded = new FormData();
      for (let i = 0; i <= 20; i++) crowded.append(`field_${i}`, "1");
      crowded.append("file", basic, "people.csv");
      const tooMany = await post(crowded);
      assertError(tooMany, 413, "payload_too_large");
      assertEquals(tooMany.body.details, { max_fields: 20 });
      const long = new FormData();
      long.append("mapping", JSON.stringify({ email: "email", [`x${"y".repeat(33 * 1024)}`]: "metadata.note" }));
      long.append("file", basic, "people.csv");
      const cut = await post(long);
      assertError(cut, 413, "payload_too_large");
      assertEquals(cut.body.details, { max_bytes: 32 * 1024 });
      assertEquals(storedUploads(o.id), [], "no upload, partial or whole, is left behind");
      assertEquals((await sql(`select 1 from public.contact_import_jobs where user_id = $1`, [o.id])).length, 0);
    });

    await t.step("an option given twice (query and body, two form fields) is refused, not decided by the last; nothing is stored", async () => {
      const o = await fresh("options-twice");
      const token = await o.token();
      const basic = new Blob([await fixture("01_basic.csv").arrayBuffer()], { type: "text/csv" });
      const form = (...fields: [string, string][]) => {
        const body = new FormData();
        for (const [name, value] of fields) body.append(name, value);
        body.append("file", basic, "people.csv");
        return body;
      };
      const post = async (body: BodyInit, query = "", headers: Record<string, string> = {}) => {
        const response = await fetch(`${stack.url}/functions/v1/${FN}${query}`, { method: "POST", headers: { Authorization: `Bearer ${token}`, ...headers }, body });
        return { status: response.status, headers: response.headers, body: await response.json() };
      };
      const inBoth = await post(form(["dry_run", "false"]), "?dry_run=true");
      assertError(inBoth, 422, "validation_failed");
      assertEquals(inBoth.body.details.issues, [{ path: "dry_run", code: "custom", message: "given both in the query and in the body" }]);
      const twice = await post(form(["dedupe_key", "email"], ["dedupe_key", "phone"]));
      assertError(twice, 422, "validation_failed");
      assertEquals(twice.body.details.issues, [{ path: "dedupe_key", code: "custom", message: "given more than once" }]);
      Deno.writeFileSync(storedFile(o.id, "mine.csv"), new Uint8Array(await basic.arrayBuffer()));
      const reference = JSON.stringify({ storage: { bucket: "imports", path: `${o.id}/mine.csv` }, dry_run: false });
      assertError(await post(reference, "?dry_run=true", { "content-type": "application/json" }), 422, "validation_failed");
      assertEquals(storedUploads(o.id), ["mine.csv"], "no upload is left behind; the owner's own file stays");
      assertEquals((await sql(`select 1 from public.contact_import_jobs where user_id = $1`, [o.id])).length, 0);
    });

    await t.step("multipart: a body left open after its file part is refused, and the stored upload removed", async () => {
      const o = await fresh("multipart-left-open");
      const boundary = "LeftOpenBoundary";
      const csv = new TextDecoder().decode(await fixture("01_basic.csv").arrayBuffer());
      const part = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="people.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}\r\n`;
      // The file part whole, the next boundary, and then nothing: the body is never ended.
      const body = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(new TextEncoder().encode(part)) });
      const hangUp = new AbortController();
      const giveUp = setTimeout(() => hangUp.abort(new Error("no answer while the body stayed open")), 60_000);
      try {
        const answer = await upload(await o.token(), body, {}, stack.url, `multipart/form-data; boundary=${boundary}`, hangUp.signal);
        assertError(answer, 400, "bad_request");
        assertEquals(answer.body.message, "The multipart body did not end within 10 s of its file part");
      } finally {
        clearTimeout(giveUp);
      }
      assertEquals(storedUploads(o.id), [], "the upload no job would name is removed");
      assertEquals((await sql(`select 1 from public.contact_import_jobs where user_id = $1`, [o.id])).length, 0);
    });

    await t.step("multipart: a file part without a file name is the file; a mapping field up to 32 KB is read", async () => {
      const o = await fresh("multipart-file-part");
      const token = await o.token();
      const text = new TextDecoder().decode(await fixture("01_basic.csv").arrayBuffer());
      // A mapping of many columns: the header's own, and a long list of others a wide export would have.
      const wide = Object.fromEntries([["email", "email"], ...Array.from({ length: 900 }, (_, i) => [`Custom Column ${i}`, "ignore"])]);
      const body = new FormData();
      body.append("mapping", JSON.stringify(wide));
      body.append("file", text);
      const response = await fetch(`${stack.url}/functions/v1/${FN}`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body });
      const started = await response.json();
      assert(JSON.stringify(wide).length > 16 * 1024, "the mapping is over 16 KB");
      // The mapping names columns the file does not have: the job fails at its header, having read the mapping and the file.
      assertEquals(response.status, 202, JSON.stringify(started));
      const job = await waitForJob(token, started.id);
      assertEquals([job.status, job.file_name], ["failed", "import.csv"]);
      assertEquals(reasonCodes(await errorLines(token, job.id)), [[1, "Custom Column 0", "unknown_column"]]);
    });

    await t.step("a file the owner put in Storage under a name with characters Storage takes is imported by reference", async () => {
      const o = await fresh("storage-names");
      const token = await o.token();
      const name = "Leads, Q3 (O'Brien & Co)!.csv";
      Deno.writeFileSync(storedFile(o.id, name), new Uint8Array(await fixture("01_basic.csv").arrayBuffer()));
      const started = await call(FN, { method: "POST", token, body: JSON.stringify({ storage: { bucket: "imports", path: `${o.id}/${name}` } }) });
      assertEquals(started.status, 202, JSON.stringify(started.body));
      const job = await waitForJob(token, (started.body as Job).id);
      assertEquals([job.status, job.created, job.file_name], ["completed", 3, name]);
      const bad = await call(FN, { method: "POST", token, body: JSON.stringify({ storage: { bucket: "imports", path: `${o.id}/a#b.csv` } }) });
      assertError(bad, 422, "validation_failed");
    });

    await t.step("multipart: a part's file name the database could not store is cleaned, not refused", async () => {
      const o = await fresh("multipart-file-name");
      const token = await o.token();
      // Written by hand: FormData would not send a NUL in a file name, a client library may.
      const name = (raw: string) => {
        const boundary = "----contacts-test-boundary";
        const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename*=utf-8''${raw}\r\n` +
          `Content-Type: text/csv\r\n\r\nfirst_name,email\r\nAda,ada.${raw.length}@example.com\r\n--${boundary}--\r\n`;
        return fetch(`${stack.url}/functions/v1/${FN}`, {
          method: "POST", body, headers: { Authorization: `Bearer ${token}`, "content-type": `multipart/form-data; boundary=${boundary}` },
        }).then(async (response) => ({ status: response.status, job: await response.json() }));
      };
      const withNul = await name("people%00.csv");
      assertEquals(withNul.status, 202, JSON.stringify(withNul.job));
      assertEquals(withNul.job.file_name, "people.csv");
      const tooLong = await name(`${"a".repeat(600)}.csv`);
      assertEquals(tooLong.status, 202, JSON.stringify(tooLong.job));
      assertEquals(tooLong.job.file_name, "a".repeat(255));
      for (const job of [withNul.job, tooLong.job]) assertEquals((await waitForJob(token, job.id)).status, "completed");
    });

    await t.step("limits: max_rows lowers the row limit; an unknown media type is 415; bad options are 422", async () => {
      const token = await owner.token();
      assertError(await upload(token, fixture("01_basic.csv"), { max_rows: "2" }), 413, "payload_too_large");
      assertError(await upload(token, fixture("01_basic.csv"), {}, stack.url, "image/png"), 415, "unsupported_media_type");
      const invalid: Record<string, string>[] = [{ on_duplicate: "overwrite" }, { dedupe_key: "name" }, { default_country: "G" }, { surprise: "1" },
        { mapping: "{not json" }, { mapping: JSON.stringify({ email: "password" }) }, { max_rows: "99999999" }, { group_id: "x" },
        { max_bytes: String(2 ** 40) }, { file_name: "a\u0000b.csv" }, { mapping: JSON.stringify({ "email\u0000": "email" }) },
        { mapping: JSON.stringify({ email: "metadata.a b" }) }];
      for (const options of invalid) {
        const response = await upload(token, fixture("01_basic.csv"), options);
        assertError(response, 422, "validation_failed");
        assert(Array.isArray((response.body as unknown as { details: { issues: unknown[] } }).details.issues));
      }
      assertError(await call(FN, { method: "POST", token, body: "{not json" }), 400, "malformed_json");
      // Two letters are not enough: a country libphonenumber does not know would fail every national phone.
      const unknownCountry = await upload(token, fixture("01_basic.csv"), { default_country: "ZZ" });
      assertError(unknownCountry, 422, "validation_failed");
      assertEquals((unknownCountry.body as unknown as { details: unknown }).details, {
        issues: [{ path: "default_country", code: "custom", message: "an ISO 3166-1 alpha-2 country code, e.g. GB" }],
      });
    });

    await t.step("Windows-1252 text first met after 64 KB of ASCII is still read as Windows-1252", async () => {
      const o = await fresh("late-latin1");
      const ascii = Array.from({ length: 2000 }, (_, i) => `Ada,Lovelace,ada.${i}@example.com,Engines ${i % 97}\n`).join("");
      assert(ascii.length > 84 * 1024);
      // é and ô as Windows-1252 bytes (0xE9, 0xF4): invalid as UTF-8.
      const latin1 = Uint8Array.from("J\xe9r\xf4me,Dupont,jerome@example.com,Caf\xe9\n", (c) => c.charCodeAt(0));
      const encoder = new TextEncoder();
      const job = await importAndWait(o, new Blob([encoder.encode(`first_name,last_name,email,company\n${ascii}`), latin1]));
      assertEquals([job.status, job.encoding, job.total_rows, job.created, job.failed], ["completed", "windows-1252", 2001, 2001, 0]);
      const [jerome] = await sql(`select first_name, organization from public.contacts where user_id = $1 and last_name = 'Dupont'`, [o.id]);
      assertEquals(jerome, { first_name: "Jérôme", organization: "Café" });
    });

    await t.step("suppressed identifiers are skipped with reason suppressed", async () => {
      const o = await fresh("suppressed");
      await sql(`insert into public.contact_suppressions (user_id, identifier_type, identifier_hmac)
                 values ($1, 'email', private.owner_hmac($1, private.channel_identifier_key('email', 'grace@example.com')))`, [o.id]);
      const job = await importAndWait(o, fixture("01_basic.csv"));
      assertEquals([job.created, job.skipped], [2, 1]);
      assertEquals(reasonCodes(await errorLines(await o.token(), job.id)), [[3, "email", "suppressed"]]);
    });

    await t.step("an erased mailbox is skipped as suppressed in any spelling: a +tag, Gmail's dots", async () => {
      const o = await fresh("suppressed-mailbox");
      await sql(`select private.suppress_identifiers($1, array['email:grace@example.com', 'email:ada@gmail.com'])`, [o.id]);
      const csv = "first_name,email\nGrace,Grace+news@example.com\nAda,a.d.a@googlemail.com\nGrete,grace.h@example.com\n";
      const job = await importAndWait(o, new Blob([csv]));
      assertEquals([job.created, job.skipped], [1, 2]);
      assertEquals(reasonCodes(await errorLines(await o.token(), job.id)), [[2, "email", "suppressed"], [3, "email", "suppressed"]]);
    });

    await t.step("the service imports for an owner it names; an owner cannot name another", async () => {
      const o = await fresh("service");
      const service = await upload(stack.secretKey, fixture("01_basic.csv"), { owner_id: o.id });
      assertEquals(service.status, 202, JSON.stringify(service.body));
      const job = await waitForJob(stack.secretKey, service.body.id);
      assertEquals(job.created, 3);
      assertEquals((await sql(`select user_id from public.contact_import_jobs where id = $1`, [job.id]))[0], { user_id: o.id });
      assertError(await upload(stack.secretKey, fixture("01_basic.csv")), 422, "validation_failed");
      assertError(await upload(await owner.token(), fixture("01_basic.csv"), { owner_id: o.id }), 403, "forbidden");
      const { data, error } = await serviceClient().functions.invoke<Job>(`${FN}/${job.id}`, { method: "GET" });
      assertEquals([error, data!.id], [null, job.id]);
    });

    await t.step("the service naming an owner on a job's routes reaches that owner's jobs only", async () => {
      const o = await fresh("named");
      const job = await importAndWait(o, fixture("20_invalid_emails.csv"));
      const asService = (method: string, path: string) => call(FN, { method, path, headers: { apikey: stack.secretKey } });
      const named = await asService("GET", `/${job.id}?owner_id=${o.id}`);
      assertEquals([named.status, (named.body as Job).id], [200, job.id], "the job's own owner named");
      assertEquals((await asService("GET", `/${job.id}/errors?owner_id=${o.id}&limit=1`)).status, 200);
      for (const [method, path] of [
        ["GET", `/${job.id}`], ["GET", `/${job.id}/errors`], ["GET", `/${job.id}/errors?format=csv`], ["DELETE", `/${job.id}`],
        ["POST", `/${job.id}/undo`], ["POST", `/${job.id}/resume`], ["POST", `/${job.id}/cancel`],
      ]) {
        assertError(await asService(method, `${path}${path.includes("?") ? "&" : "?"}owner_id=${owner.id}`), 404, "not_found");
      }
      const after = await getJob(await o.token(), job.id);
      assertEquals([after.status, after.undone_at], ["completed", null], "untouched by the calls naming another owner");
      assertError(await call(FN, { method: "GET", path: `/${job.id}?owner_id=${o.id}`, token: await owner.token() }), 403, "forbidden");
      const upper = await asService("GET", `/${job.id}/errors?owner_id=${o.id.toUpperCase()}&forceFunctionRegion=us-east-1`);
      assertEquals(upper.status, 200, "an owner id in capitals names the same owner; the region hint of supabase-js is no option");
      const regional = await serviceClient().functions.invoke<Job>(`${FN}/${job.id}?owner_id=${o.id}`, {
        method: "GET", region: "us-east-1" as FunctionRegion,
      });
      assertEquals([regional.error, regional.data?.id], [null, job.id], "supabase-js with a region set");
      assertError(await asService("GET", `/${job.id}?owner_id=not-a-uuid`), 422, "validation_failed");
      assertError(await asService("GET", `/${job.id}?owner=${o.id}`), 422, "validation_failed");
    });

    await t.step("another owner's token cannot read, undo, resume or cancel the job (404), nor reach its file or another bucket", async () => {
      const job = await importAndWait(owner, fixture("20_invalid_emails.csv"));
      const token = await stranger.token();
      assertError(await call(FN, { method: "GET", path: `/${job.id}`, token }), 404, "not_found");
      assertError(await call(FN, { method: "GET", path: `/${job.id}/errors`, token }), 404, "not_found");
      assertError(await call(FN, { method: "GET", path: `/${job.id}/errors?format=csv`, token }), 404, "not_found");
      assertError(await call(FN, { method: "DELETE", path: `/${job.id}`, token }), 404, "not_found");
      assertError(await call(FN, { method: "POST", path: `/${job.id}/resume`, token }), 404, "not_found");
      assertError(await call(FN, { method: "POST", path: `/${job.id}/cancel`, token }), 404, "not_found");
      assertEquals((await getJob(await owner.token(), job.id)).undone_at, null, "untouched");
      const theirs = await call(FN, {
        method: "POST", token, body: JSON.stringify({ storage: { bucket: "imports", path: `${owner.id}/from-storage.csv` } }),
      });
      assertError(theirs, 404, "not_found");
      assertError(await call(FN, { method: "POST", token, body: JSON.stringify({ storage: { bucket: "imports", path: `${stranger.id}/../${owner.id}/from-storage.csv` } }) }), 422, "validation_failed");
      // A file in the stranger's own folder of a bucket their Storage policies may not let them read.
      Deno.mkdirSync(`${Deno.env.get("SUPABASE_LOCAL_STORAGE_DIR")}/invoices/${stranger.id}`, { recursive: true });
      Deno.writeFileSync(`${Deno.env.get("SUPABASE_LOCAL_STORAGE_DIR")}/invoices/${stranger.id}/2026.csv`, Deno.readFileSync(new URL("01_basic.csv", FIXTURES)));
      const otherBucket = await call(FN, { method: "POST", token, body: JSON.stringify({ storage: { bucket: "invoices", path: `${stranger.id}/2026.csv` } }) });
      assertError(otherBucket, 422, "validation_failed");
      assertEquals((await sql(`select count(*)::int as n from public.contact_import_jobs where user_id = $1 and file_name = '2026.csv'`, [stranger.id]))[0], { n: 0 },
        "no job reads a file of another bucket for an owner");
      Deno.removeSync(`${Deno.env.get("SUPABASE_LOCAL_STORAGE_DIR")}/invoices`, { recursive: true });
      assertError(await call(FN, { method: "GET", path: `/${crypto.randomUUID()}`, token }), 404, "not_found");
      assertError(await call(FN, { method: "GET", path: "/not-a-uuid", token }), 422, "validation_failed");
    });

    await t.step("a job row naming another owner's file, written past the API, is refused by the worker before it reads", async () => {
      const victimFile = `${owner.id}/victim.csv`;
      const local = storedFile(owner.id, "victim.csv");
      await Deno.writeFile(local, Deno.readFileSync(new URL("01_basic.csv", FIXTURES)));
      const [{ id }] = await sql<{ id: string }>(
        `insert into public.contact_import_jobs (user_id, file_name, storage_path, source) values ($1, 'victim.csv', $2, 'storage') returning id`,
        [stranger.id, `imports/${victimFile}`],
      );
      const token = await stranger.token();
      assertEquals((await call(FN, { method: "POST", path: `/${id}/resume`, token })).status, 202);
      const job = await waitForJob(token, id);
      assertEquals([job.status, job.processed_rows], ["failed", 0]);
      assertEquals(reasonCodes(await errorLines(token, id)), [[1, null, "file_not_owned"]]);
      assertEquals((await sql(`select 1 from public.contacts where user_id = $1`, [stranger.id])).length, 0, "nothing of the file was imported");
      assert(Deno.statSync(local).isFile, "and the file is still there");
    });

    await t.step("a file replaced in Storage after its import began is not read on from the middle of other rows", async () => {
      const o = await fresh("replaced-file");
      const token = await o.token();
      // The job as the intake of the original file left it; then the owner uploads another file over it.
      const id = await basicFileJob(o.id, "replaced.csv");
      Deno.writeTextFileSync(storedFile(o.id, "replaced.csv"), "email\nsomeone@example.com\n");
      assertEquals((await call(FN, { method: "POST", path: `/${id}/resume`, token })).status, 202);
      const job = await waitForJob(token, id);
      assertEquals([job.status, job.processed_rows], ["failed", 0]);
      assertEquals(reasonCodes(await errorLines(token, id)), [[1, null, "file_changed"]]);
      assertEquals((await sql(`select 1 from public.contacts where user_id = $1`, [o.id])).length, 0, "nothing of either file was imported");
    });

    await t.step("a file replaced by one of the same size after its intake fails the job; the same file goes on", async () => {
      const o = await fresh("same-size-file");
      const token = await o.token();
      // Two jobs as the intake leaves them, each with the version of the file it hashed, before any slice ran.
      const [kept, replaced] = [await basicFileJob(o.id, "kept.csv", { force: true }), await basicFileJob(o.id, "replaced.csv", { force: true })];
      const original = Deno.readFileSync(storedFile(o.id, "kept.csv"));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const corrected = new TextDecoder().decode(original).replace("Ada", "Ida");
      assertEquals(corrected.length, original.length);
      Deno.writeTextFileSync(storedFile(o.id, "replaced.csv"), corrected);
      for (const id of [kept, replaced]) assertEquals((await call(FN, { method: "POST", path: `/${id}/resume`, token })).status, 202);
      const [keptJob, replacedJob] = [await waitForJob(token, kept), await waitForJob(token, replaced)];
      assertEquals([keptJob.status, keptJob.created], ["completed", 3], "the file the intake hashed imports on");
      assertEquals([replacedJob.status, replacedJob.processed_rows], ["failed", 0]);
      const [line] = await errorLines(token, replaced);
      assertEquals([line.row_number, line.reason], [1, "file_changed: the file in Storage was replaced by another file of the same size since this import began; import it again"]);

      const versionOf = async (id: string) =>
        (await sql<{ file_version: string | null }>(`select file_version from public.contact_import_jobs where id = $1`, [id]))[0].file_version;
      Deno.writeTextFileSync(storedFile(o.id, "referenced.csv"), "email\nintake@example.com\n");
      const referenced = await call(FN, { method: "POST", token, body: JSON.stringify({ storage: { bucket: "imports", path: `${o.id}/referenced.csv` } }) });
      assertEquals(referenced.status, 202, JSON.stringify(referenced.body));
      assertEquals(await versionOf((referenced.body as Job).id), await storedVersion(o.id, "referenced.csv"), "a job has the version of the file its intake read");
      const unversioned = await basicFileJob(o.id, "unversioned.csv", { force: true, versioned: false });
      assertEquals((await call(FN, { method: "POST", path: `/${unversioned}/resume`, token })).status, 202);
      assertEquals((await waitForJob(token, unversioned)).status, "completed");
      assertEquals(await versionOf(unversioned), await storedVersion(o.id, "unversioned.csv"), "a job made without one takes its first slice's");
    });

    await t.step("a job that ended after saving its last batch, before completing, completes on resume without reading again", async () => {
      const o = await fresh("ended-at-file-end");
      const token = await o.token();
      const id = await basicFileJob(o.id, "ended.csv");
      assertEquals((await call(FN, { method: "POST", path: `/${id}/resume`, token })).status, 202);
      assertEquals((await waitForJob(token, id)).created, 3);
      // The state a worker stopped (the hosted CPU limit, a lost connection) between its last batch's
      // commit and the job's completion leaves: every row saved, its position at the file's end,
      // the job failed. Only the status is put back, past the transition check that would refuse it.
      await sql(`begin; set local session_replication_role = replica;
        update public.contact_import_jobs set status = 'failed', error_summary = 'processing_failed: stopped' where id = '${id}'; commit`);
      assertEquals((await call(FN, { method: "POST", path: `/${id}/resume`, token })).status, 202);
      const job = await waitForJob(token, id);
      assertEquals([job.status, job.processed_rows, job.created, job.updated, job.skipped, job.failed], ["completed", 3, 3, 0, 0, 0]);
      assertEquals(await errorLines(token, id), [], "no line: Storage was not asked for a range past the file's end");
      assertEquals((await sql(`select 1 from public.contacts where user_id = $1`, [o.id])).length, 3, "no row imported twice");
    });

    await t.step("a resume whose slice meets the lock of one still ending waits for it, rather than leaving the job unattended", async () => {
      const o = await fresh("resume-waits-for-lock");
      const token = await o.token();
      const id = await basicFileJob(o.id, "waits.csv");
      await sql(`update public.contact_import_jobs set status = 'failed', error_summary = 'processing_failed: stopped' where id = $1`, [id]);
      // A slice that failed has committed the status and not yet closed its connection, which holds the lock.
      const ending = new pg.Client({ connectionString: stack.dbUrl });
      await ending.connect();
      try {
        await ending.query("select pg_advisory_lock(private.import_job_lock_key($1))", [id]);
        assertEquals((await call(FN, { method: "POST", path: `/${id}/resume`, token })).status, 202);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      } finally {
        await ending.end();
      }
      // Read past the function: a progress read would pick up a stalled job after 20 s idle by itself.
      let status = "";
      for (let tries = 0; tries < 100 && status !== "completed"; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        [{ status }] = await sql<{ status: string }>(`select status from public.contact_import_jobs where id = $1`, [id]);
      }
      assertEquals(status, "completed", "the resumed slice took the lock once it was free and finished the job");
    });

    await t.step("agent tokens are refused (403); only the service runs slices (403)", async () => {
      const agent = (await sql<{ id: string }>(`insert into public.agents (user_id, name) values ($1, 'Importer') returning id`, [owner.id]))[0].id;
      assertError(await upload(await owner.agentToken(agent), fixture("01_basic.csv")), 403, "forbidden");
      const [job] = await sql<{ id: string }>(`select id from public.contact_import_jobs where user_id = $1 limit 1`, [owner.id]);
      assertError(await call(FN, { method: "GET", path: `/${job.id}`, token: await owner.agentToken(agent) }), 403, "forbidden");
      assertError(await call(FN, { method: "POST", path: `/${job.id}/process`, token: await owner.token() }), 403, "forbidden");
    });

    await t.step("preflight, missing and forged tokens (401 before any SQL), wrong method (405)", async () => {
      const jobs = () => sql<{ n: number }>(`select count(*)::int as n from public.contact_import_jobs`).then((r) => r[0].n);
      await assertGuarded(FN, { method: "POST", wrongMethod: "PATCH", body: "first_name,email\nA,a@b.co\n", userId: owner.id, beforeSql: jobs });
      const [job] = await sql<{ id: string }>(`select id from public.contact_import_jobs where user_id = $1 limit 1`, [owner.id]);
      await assertGuarded(FN, { method: "GET", wrongMethod: "PUT", path: `/${job.id}`, userId: owner.id });
      const wrong = await call(FN, { method: "GET", path: `/${job.id}/resume`, token: await owner.token() });
      assertError(wrong, 405, "method_not_allowed");
      assertEquals(wrong.headers.get("allow"), "POST");
    });
  } finally {
    await removeOwners(...owners);
  }
});
