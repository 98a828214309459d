// import-contacts settles each batch before the database sees it, without a server: rows within a
// batch end as the database ends them across batches (private.import_contacts_batch), so where a
// batch boundary falls never changes an outcome.
import { assertEquals } from "@std/assert/mod.js";
import { type ImportRow, settleBatch } from "../../functions/import-contacts/rows.ts";

function row(n: number, k: string | null, channels: [type: "email" | "phone" | "sms" | "whatsapp", value: string][]): ImportRow {
  return {
    n, k, first_name: `Row ${n}`, last_name: null, display_name: null, organization: null, job_title: null,
    external_id: null, xcol: null, tags: null, metadata: null,
    channels: channels.map(([t, v]) => ({ t, v, nv: v, p: true, c: null, col: t })),
  };
}

const outcomes = (rows: ImportRow[], dedupe: "email" | "phone" = "email") => {
  const settled = settleBatch(rows, dedupe);
  return [
    settled.rows.map((r) => r.n),
    settled.failures.map((f) => [f.row_number, f.outcome, f.reason.split(":")[0], f.column_name]),
  ];
};

Deno.test("a row with the same key as an earlier row is a duplicate within the file", () => {
  assertEquals(outcomes([row(2, "a@x.test", [["email", "a@x.test"]]), row(3, "a@x.test", [["email", "a@x.test"]])]),
    [[2], [[3, "skip", "duplicate_in_file", null]]]);
});

Deno.test("a keyless row whose identifiers an earlier row holds is a duplicate within the file", () => {
  assertEquals(outcomes([
    row(2, "a@x.test", [["email", "a@x.test"], ["phone", "+442079460018"]]),
    row(3, null, [["phone", "+442079460018"]]),
  ]), [[2], [[3, "skip", "duplicate_in_file", null]]]);
});

Deno.test("a keyless row holding identifiers of two earlier rows fails", () => {
  assertEquals(outcomes([
    row(2, null, [["phone", "+442079460018"]]),
    row(3, "b@x.test", [["email", "b@x.test"]]),
    row(4, null, [["phone", "+442079460018"], ["email", "b@x.test"]]),
  ]), [[2, 3], [[4, "fail", "identifier_conflict", "phone"]]]);
});

Deno.test("a row with its own key sharing another row's identifier fails", () => {
  assertEquals(outcomes([
    row(2, "a@x.test", [["email", "a@x.test"], ["phone", "+442079460018"]]),
    row(3, "b@x.test", [["email", "b@x.test"], ["phone", "+442079460018"]]),
  ]), [[2], [[3, "fail", "identifier_conflict", "phone"]]]);
});

Deno.test("under the phone key, a row keyed by a number an earlier row gave as SMS is a duplicate within the file", () => {
  assertEquals(outcomes([
    row(2, "+442079460018", [["phone", "+442079460018"], ["sms", "+442079460019"]]),
    row(3, "+442079460019", [["phone", "+442079460019"]]),
  ], "phone"), [[2], [[3, "skip", "duplicate_in_file", null]]]);
});

Deno.test("under the phone key, a row giving as WhatsApp a number an earlier row has as phone fails", () => {
  assertEquals(outcomes([
    row(2, "+442079460018", [["phone", "+442079460018"]]),
    row(3, "+442079460020", [["phone", "+442079460020"], ["whatsapp", "+442079460018"]]),
  ], "phone"), [[2], [[3, "fail", "identifier_conflict", "whatsapp"]]]);
});

Deno.test("under the e-mail key, the same number as phone and as SMS of two rows stays two channels", () => {
  assertEquals(outcomes([
    row(2, "a@x.test", [["email", "a@x.test"], ["phone", "+442079460018"]]),
    row(3, "b@x.test", [["email", "b@x.test"], ["sms", "+442079460018"]]),
  ]), [[2, 3], []]);
});
