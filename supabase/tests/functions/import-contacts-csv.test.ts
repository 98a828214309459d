// import-contacts' record scanner without a server: where records start and end must not depend on
// how the bytes arrive, or the row count taken at upload (request chunks) and the rows the worker
// reads (file chunks) disagree.
import { assertEquals } from "@std/assert/mod.js";
import { cellsOf, detectDelimiter, detectFormat, EncodingCheck, MAX_RECORD_BYTES, RecordReader } from "../../functions/import-contacts/csv.ts";
import { scanFile } from "../../functions/import-contacts/intake.ts";

const encoder = new TextEncoder();
const format = detectFormat(encoder.encode("first_name,email\n"));

function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** Each record as [line, next line, end offset, flag, first bytes as text]. */
async function records(bytes: Uint8Array, chunkSize: number, offset = 0, line = 1) {
  const reader = new RecordReader(chunked(bytes.subarray(offset), chunkSize), format, offset, line);
  const found: [number, number, number, string, string][] = [];
  for (let record = await reader.next(); record; record = await reader.next()) {
    found.push([record.line, record.nextLine, record.end, record.flag, new TextDecoder().decode(record.bytes.subarray(0, 12))]);
  }
  return found;
}

const CHUNK_SIZES = [16 * 1024, 64 * 1024, 1024 * 1024, 3 * 1024 * 1024, 64 * 1024 * 1024];

async function assertSameForEveryChunking(text: string, expected: [number, number, number, string, string][]) {
  const bytes = encoder.encode(text);
  for (const size of CHUNK_SIZES) assertEquals(await records(bytes, size), expected, `read in chunks of ${size} bytes`);
}

Deno.test("a quoted record just under the record limit is one record however it is read", async () => {
  const cell = "x".repeat(MAX_RECORD_BYTES - 10);
  const text = `Ada,"${cell}"\nGrace,g@example.com\n`;
  const first = 4 + cell.length + 3;
  await assertSameForEveryChunking(text, [
    [1, 2, first, "ok", `Ada,"xxxxxxx`],
    [2, 3, text.length, "ok", "Grace,g@exam"],
  ]);
});

Deno.test("a quoted record just over the record limit is refused the same way however it is read", async () => {
  const cell = "x".repeat(MAX_RECORD_BYTES + 10);
  const text = `Ada,"${cell}"\nGrace,g@example.com\n`;
  await assertSameForEveryChunking(text, [
    [1, 2, 4 + cell.length + 3, "unterminated_quote", `Ada,"xxxxxxx`],
    [2, 3, text.length, "ok", "Grace,g@exam"],
  ]);
});

Deno.test("a long line after a quoted line break is skipped to its own end, its lines counted", async () => {
  const tail = "y".repeat(MAX_RECORD_BYTES + 10);
  const text = `"a\nb",${tail}\nGrace,g@example.com\n`;
  await assertSameForEveryChunking(text, [
    [1, 3, 6 + tail.length + 1, "too_long", '"a\nb",yyyyyy'],
    [3, 4, text.length, "ok", "Grace,g@exam"],
  ]);
});

/** A file of `count` records, each built from cells that quote, escape and break lines in turn. */
function mixedRecords(count: number): { text: string; starts: number[] } {
  const cells = [`O"Brien`, `"a ""quoted"" word"`, `"two\nlines"`, "plain", `"comma, inside"`, `x"y"z`, ""];
  let text = "";
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    starts.push(encoder.encode(text).length);
    const a = cells[i % cells.length];
    const b = cells[(i * 3 + 1) % cells.length];
    text += `${a},${b},r${i}${i % 5 === 0 ? "\r\n" : "\n"}`;
  }
  return { text, starts };
}

Deno.test("records with quotes here and there come out the same from any chunking, and from any record's start", async () => {
  const { text, starts } = mixedRecords(60);
  const bytes = encoder.encode(text);
  const whole = await records(bytes, bytes.length);
  assertEquals(whole.length, 60, "one record per row written");
  assertEquals(whole.map(([, , end]) => end), [...starts.slice(1), bytes.length], "each record ends where the next starts");
  for (const size of [1, 2, 3, 5, 7, 11, 64]) assertEquals(await records(bytes, size), whole, `read in chunks of ${size} bytes`);
  for (const i of [1, 2, 9, 33]) {
    assertEquals(await records(bytes, 5, starts[i], whole[i][0]), whole.slice(i), `resumed at record ${i + 1}`);
  }
});

Deno.test("a UTF-16 file ending in half a code unit ends: the stray byte stays with the last record, whose row then fails to decode", async () => {
  const utf16 = detectFormat(new Uint8Array([0xff, 0xfe, 0x65, 0x00, 0x0a, 0x00]));
  const text = (chars: string) => Uint8Array.from([...chars].flatMap((c) => [c.charCodeAt(0), 0]));
  const read = async (bytes: Uint8Array, size: number) => {
    const reader = new RecordReader(chunked(bytes, size), utf16, 0, 1);
    const found: [number, number, number][] = [];
    for (let record = await reader.next(); record && found.length < 10; record = await reader.next()) {
      found.push([record.line, record.end, record.bytes.length]);
    }
    return found;
  };
  const lastRecordCut = Uint8Array.from([...text("email\na@x.io"), 0x0a]);
  const afterLineBreak = Uint8Array.from([...text("email\na@x.io\n"), 0x0a]);
  for (const size of [1, 2, 3, 64]) {
    assertEquals(await read(lastRecordCut, size), [[1, 12, 10], [2, 25, 13]], `a record cut in half, chunks of ${size}`);
    assertEquals(await read(afterLineBreak, size), [[1, 12, 10], [2, 26, 12], [3, 27, 1]], `a stray byte after the last line, chunks of ${size}`);
  }
  assertEquals(new TextDecoder("utf-16le").decode(lastRecordCut.subarray(12)).endsWith("\ufffd"), true, "the lenient decoder shows what the strict one refuses");
});

/** What TextDecoder with fatal set makes of the whole file. */
function decodesAsUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

Deno.test("the whole-file UTF-8 check agrees with a strict decoder wherever the chunks cut the characters", () => {
  const ascii = encoder.encode("name,email\n");
  const bodies: [string, number[]][] = [
    ["two-, three- and four-byte characters", [...encoder.encode("Zoë,Łódź,日本,🙂\n")]],
    ["a character cut off at the end of the file", [...encoder.encode("Zoë\n"), 0xf0, 0x9f, 0x99]],
    ["a lone continuation byte", [0x41, 0x80, 0x42]],
    ["an overlong encoding", [0xc0, 0xaf]],
    ["a surrogate encoded", [0xed, 0xa0, 0x80]],
    ["Windows-1252 text", [0x5a, 0x6f, 0xeb, 0x2c, 0xe9, 0x0a]],
    ["a lead byte followed by ASCII", [0xe6, 0x41, 0x42]],
    ["a lead byte that starts no character at the end of the file", [0x4d, 0x61, 0x6c, 0x6d, 0xf6]],
  ];
  for (const [what, body] of bodies) {
    const file = new Uint8Array([...ascii, ...body]);
    const expected = decodesAsUtf8(file) ? "utf-8" : "windows-1252";
    for (const size of [1, 2, 3, 4, 5, 13]) {
      const check = new EncodingCheck(ascii, detectFormat(ascii));
      for (let at = 0; at < file.length; at += size) check.push(file.subarray(at, at + size));
      assertEquals(check.finish(), expected, `${what}, in chunks of ${size} bytes`);
    }
  }
});

Deno.test("a small file whose only non-ASCII byte ends it is settled by the whole-file check, not the sample", () => {
  for (const ending of [[0xe1], [0xc3]]) {
    const file = new Uint8Array([...encoder.encode("name,city\nAnna,Bogot"), ...ending]);
    const check = new EncodingCheck(file, detectFormat(file));
    check.push(file);
    assertEquals(check.finish(), "windows-1252", `a file ending in 0x${ending[0].toString(16)}`);
  }
  const malmo = new Uint8Array([...encoder.encode("name,city\nAnna,Malm"), 0xf6]);
  assertEquals(detectFormat(malmo).encoding, "windows-1252", "a byte that starts no UTF-8 character settles the sample at once");
});

Deno.test("a sample with whole UTF-8 characters settles UTF-8: a bad byte later fails its row, not the file's accents", () => {
  const sample = encoder.encode("first_name,city\nJosé,Malmö\n");
  const check = new EncodingCheck(sample, detectFormat(sample));
  check.push(sample);
  check.push(new Uint8Array([...encoder.encode("Zoë,"), 0xff, 0x0a]));
  assertEquals(check.finish(), "utf-8");
});

Deno.test("a two-column file's delimiter is guessed from its rows, whatever blank lines it has", () => {
  for (const delimiter of [";", "\t", "|", ","]) {
    for (const text of [`email${delimiter}name\nbo@example.com${delimiter}Bo\n`, `email${delimiter}name\n\nbo@example.com${delimiter}Bo\n\n \n`]) {
      assertEquals(detectDelimiter(text), delimiter, JSON.stringify(text));
    }
  }
});

Deno.test("a closing quote followed by a stray CR or blanks ends its field, at a record's end too", () => {
  // Lines ending in \r\r\n (Python's csv module on Windows, a file opened without newline=''):
  // the scanner strips one CR, the other stays before the line break.
  assertEquals(cellsOf('"Ada","ada@example.com"\r', format), ["Ada", "ada@example.com"]);
  assertEquals(cellsOf('"Ada" ,"ada@example.com"  ', format), ["Ada", "ada@example.com"]);
  assertEquals(cellsOf('"Ada","two\nlines"', format), ["Ada", "two\nlines"]);
});

Deno.test("the upload pass counts rows from after the byte-order mark, as the worker reads them", async () => {
  const file = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode("\r\nEmail,Name\r\nada@example.com,Ada\r\n")]);
  for (const size of [1, 2, 4, 64]) {
    const intake = await scanFile(chunked(file, size), { maxBytes: 1024, maxRows: 1 }, {});
    assertEquals(intake.rows, 1, `one row after the header that follows a BOM and a blank line, chunks of ${size}`);
  }
  const quotedFirst = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('"E-mail\naddress",Name\r\nada@example.com,Ada\r\n')]);
  assertEquals((await scanFile(chunked(quotedFirst, 3), { maxBytes: 1024, maxRows: 5 }, {})).rows, 1, "a quote right after the BOM opens the header's first field");
});
