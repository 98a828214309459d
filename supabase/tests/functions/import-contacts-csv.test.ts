// import-contacts' record scanner without a server: where records start and end must not depend on
// how the bytes arrive, or the row count taken at upload (request chunks) and the rows the worker
// reads (file chunks) disagree.
import { assertEquals } from "@std/assert/mod.js";
import { detectFormat, MAX_RECORD_BYTES, RecordReader } from "../../functions/import-contacts/csv.ts";

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
async function records(bytes: Uint8Array, chunkSize: number) {
  const reader = new RecordReader(chunked(bytes, chunkSize), format, 0, 1);
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
