// The byte level of a CSV file: its encoding and line ending, and where each record starts and
// ends, found by a quote-aware scan over the raw bytes. Positions are byte offsets in the file, so
// a job can stop after any batch and a later invocation can open the file at exactly the next
// record (papaparse, which parses the records, counts decoded characters, not bytes). Upload and
// processing use this same scanner, so the row count known at upload is the count processed.
import { isUtf8 } from "node:buffer";
import Papa from "papaparse";

export type Encoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252" | "macintosh";
export type Delimiter = "," | ";" | "\t" | "|";
export const DELIMITERS: readonly Delimiter[] = [",", ";", "\t", "|"];

/** A record longer than this is refused (a 1 MB cell fits; an unterminated quote stops here). */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export interface FileFormat {
  encoding: Encoding;
  /** Bytes of the byte-order mark, skipped before the header. */
  bom: number;
  /** Line terminator: LF (CRLF included) or, for old Mac files, a lone CR. */
  newline: "\n" | "\r";
  delimiter: Delimiter;
  /** Whether the first line is Excel's `sep=<delimiter>`, which names the delimiter and is no row. */
  sepLine: boolean;
  /** A character that line names and the import cannot read as a delimiter (none is forced). */
  unreadableSep: string | null;
}

/**
 * The format from the first bytes: the encoding from the byte-order mark, else UTF-16 by its NUL
 * bytes, UTF-8 when valid, else Mac Roman when lines end in a lone CR (Excel for Mac's legacy CSV
 * writes both), else Windows-1252; the line ending; the delimiter (named by Excel's `sep=` first
 * line, else papaparse's guess among , ; tab | over the lines from the header on). Given options win.
 */
export function detectFormat(
  sample: Uint8Array,
  forced: { encoding?: Encoding; delimiter?: Delimiter; header_row?: number } = {},
): FileFormat {
  const forcedEncoding = forced.encoding;
  let encoding: Encoding;
  let bom = 0;
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) [encoding, bom] = ["utf-8", 3];
  else if (sample[0] === 0xff && sample[1] === 0xfe) [encoding, bom] = ["utf-16le", 2];
  else if (sample[0] === 0xfe && sample[1] === 0xff) [encoding, bom] = ["utf-16be", 2];
  else {
    const pairs = Math.floor(Math.min(sample.length, 8192) / 2);
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < pairs; i++) {
      if (sample[2 * i] === 0) evenZeros++;
      if (sample[2 * i + 1] === 0) oddZeros++;
    }
    if (pairs >= 2 && oddZeros > pairs * 0.3 && evenZeros < pairs * 0.05) encoding = "utf-16le";
    else if (pairs >= 2 && evenZeros > pairs * 0.3 && oddZeros < pairs * 0.05) encoding = "utf-16be";
    else encoding = startsAsUtf8(sample) ? "utf-8" : legacyEncoding(lineEnding(new TextDecoder("latin1").decode(sample)));
  }
  if (forcedEncoding && forcedEncoding !== encoding) [encoding, bom] = [forcedEncoding, 0];
  const text = new TextDecoder(encoding).decode(sample.subarray(bom, Math.min(sample.length, 64 * 1024)));
  const newline = lineEnding(text);
  const sep = SEP_LINE.exec(text);
  const named = sep && (DELIMITERS as readonly string[]).includes(sep[1]) ? sep[1] as Delimiter : undefined;
  // The lines before the header a caller names are no rows: a title line of one field would make a
  // two-column file look like one of single fields.
  const rows = forced.header_row ? text.split(newline).slice(forced.header_row - 1).join(newline) : sep ? text.slice(sep[0].length) : text;
  const delimiter = forced.delimiter ?? named ?? detectDelimiter(rows, newline);
  const unreadableSep = sep && !named && !forced.delimiter ? sep[1] : null;
  return { encoding, bom, newline, delimiter, sepLine: sep !== null, unreadableSep };
}

/** Excel's first line naming the delimiter, `sep=;`: any one character, read or not. */
const SEP_LINE = /^sep=(.)[ \t]*(?:\r\n|\n|\r|$)/i;

/**
 * The line ending of the first lines: a lone CR where CRs not followed by an LF outnumber the LFs,
 * as in old Mac files (whose quoted cells may still hold an LF, as Excel writes a line break in a
 * cell), else LF (CRLF included).
 */
function lineEnding(text: string): "\n" | "\r" {
  let loneCrs = 0;
  let lfs = 0;
  for (let at = text.indexOf("\r"); at !== -1; at = text.indexOf("\r", at + 1)) if (text[at + 1] !== "\n") loneCrs++;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lfs++;
  return loneCrs > lfs ? "\r" : "\n";
}

/**
 * The single-byte encoding of a file that is not UTF-8: Mac Roman for lone-CR line endings (Excel
 * for Mac's "Comma Separated Values"), else Windows-1252, whose CRLF files Excel for Windows writes.
 */
const legacyEncoding = (newline: "\n" | "\r"): Encoding => newline === "\r" ? "macintosh" : "windows-1252";

/** Whether the sample is UTF-8, a character cut at its end included if its bytes so far are valid. */
function startsAsUtf8(sample: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The encoding of the whole file, settled while it streams past once. A sample of plain ASCII
 * (but for a character cut at its end, or at the end of a small file) says nothing about the rest,
 * so UTF-8 guessed from one is checked over every byte and becomes Windows-1252 (Mac Roman for
 * lone-CR line endings) if the file turns out not to be UTF-8. A sample holding whole UTF-8 characters settles UTF-8: a bad byte later
 * fails its row (invalid_encoding) rather than turning every accent of the file into another
 * letter. Any other detection stands as it is.
 */
export class EncodingCheck {
  #checking: boolean;
  #encoding: Encoding;
  readonly #newline: FileFormat["newline"];
  /** The first bytes of a character cut at the end of the last chunk. */
  #partial = new Uint8Array(0);

  constructor(sample: Uint8Array, format: FileFormat, forced?: Encoding) {
    this.#encoding = format.encoding;
    this.#newline = format.newline;
    this.#checking = !forced && format.encoding === "utf-8" && format.bom === 0 &&
      sample.subarray(0, cutCharacterStart(sample)).every((byte) => byte < 0x80);
  }

  /** Every chunk of the file, in order (the sample included). */
  push(chunk: Uint8Array): void {
    if (!this.#checking) return;
    // Validated in place (node:buffer's isUtf8), not decoded: a string of every chunk would cost
    // several times as much. A character cut between chunks is put together first.
    if (this.#partial.length > 0) {
      const wanted = utf8Length(this.#partial[0]) - this.#partial.length;
      const joined = new Uint8Array(this.#partial.length + Math.min(wanted, chunk.length));
      joined.set(this.#partial);
      joined.set(chunk.subarray(0, wanted), this.#partial.length);
      chunk = chunk.subarray(wanted);
      this.#partial = new Uint8Array(0);
      if (joined.length < utf8Length(joined[0])) return void (this.#partial = joined);
      if (!isUtf8(joined)) return this.#notUtf8();
    }
    const cut = cutCharacterStart(chunk);
    if (!isUtf8(chunk.subarray(0, cut))) return this.#notUtf8();
    this.#partial = chunk.slice(cut);
  }

  /** The encoding to read the file with, once every chunk was pushed. */
  finish(): Encoding {
    if (this.#checking && this.#partial.length > 0) this.#notUtf8();
    return this.#encoding;
  }

  #notUtf8(): void {
    this.#encoding = legacyEncoding(this.#newline);
    this.#checking = false;
  }
}

/** Bytes of the UTF-8 character a lead byte starts (1 for anything else, which isUtf8 judges). */
function utf8Length(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

/** Where a character that does not end within `bytes` starts (bytes.length when none does). */
function cutCharacterStart(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= Math.max(bytes.length - 3, 0); i--) {
    if ((bytes[i] & 0xc0) !== 0x80) return i + utf8Length(bytes[i]) > bytes.length ? i : bytes.length;
  }
  return bytes.length;
}

/** The delimiter of the first lines: papaparse's guess among , ; tab |, else a comma. */
export function detectDelimiter(text: string, newline: "\n" | "\r" = "\n"): Delimiter {
  // Blank lines are no rows (the reader skips them): counted, the one ending most files would make
  // a two-column ; or tab file look like one of single fields, read with ",".
  const guess = Papa.parse<string[]>(text, { delimitersToGuess: [...DELIMITERS], preview: 10, newline, skipEmptyLines: "greedy" });
  const delimiter = guess.meta.delimiter as Delimiter;
  return DELIMITERS.includes(delimiter) ? delimiter : ",";
}

export type RecordFlag = "ok" | "unterminated_quote" | "too_long";

export interface CsvRecord {
  /** The record's bytes without its line terminator (empty for a too_long record). */
  bytes: Uint8Array;
  /** Line number where the record starts (the header is line 1). */
  line: number;
  /** Byte offset in the file just after the record and its terminator. */
  end: number;
  /** Line number of the next record. */
  nextLine: number;
  flag: RecordFlag;
}

/**
 * Reads records from a byte stream that starts at `offset` (a record boundary) on line `line`.
 * Blank lines are skipped (they are not rows). A quote left open is closed at the end of its first
 * line when the record would otherwise run past MAX_RECORD_BYTES or the end of the file: that line
 * is reported as unterminated and reading goes on with the next line, so nothing after it is lost.
 */
export class RecordReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #unit: 1 | 2;
  readonly #littleEndian: boolean;
  readonly #newline: number;
  readonly #delimiter: number;
  #buffer = new Uint8Array(0);
  #bufferStart: number; // file offset of #buffer[0]
  #line: number;
  #done = false;
  /** The last quote search, in file offsets: the first quote at or after `from` (-1: none before `searchedTo`). */
  #nextQuote = { from: 0, at: -1, searchedTo: 0 };

  constructor(stream: ReadableStream<Uint8Array>, format: FileFormat, offset: number, line: number) {
    this.#reader = stream.getReader();
    this.#unit = format.encoding.startsWith("utf-16") ? 2 : 1;
    this.#littleEndian = format.encoding !== "utf-16be";
    this.#newline = format.newline === "\r" ? 0x0d : 0x0a;
    this.#delimiter = format.delimiter.charCodeAt(0);
    this.#bufferStart = offset;
    this.#line = line;
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }

  async #fill(): Promise<boolean> {
    if (this.#done) return false;
    const { value, done } = await this.#reader.read();
    if (done || !value) {
      this.#done = true;
      return false;
    }
    const merged = new Uint8Array(this.#buffer.length + value.length);
    merged.set(this.#buffer);
    merged.set(value, this.#buffer.length);
    this.#buffer = merged;
    return true;
  }

  #consume(bytes: number): void {
    this.#buffer = this.#buffer.subarray(bytes);
    this.#bufferStart += bytes;
  }

  #unitAt(i: number): number {
    const b = this.#buffer;
    if (this.#unit === 1) return b[i];
    return this.#littleEndian ? b[i] | (b[i + 1] << 8) : (b[i] << 8) | b[i + 1];
  }

  /** Index of the first whole code unit equal to `code` in [from, to), or -1. */
  #find(code: number, from: number, to = this.#buffer.length): number {
    if (this.#unit === 1) {
      if (to >= this.#buffer.length) return this.#buffer.indexOf(code, from);
      const at = this.#buffer.subarray(from, to).indexOf(code);
      return at === -1 ? -1 : from + at;
    }
    const last = Math.min(to, this.#buffer.length - 1);
    for (let i = from; i < last; i += 2) if (this.#unitAt(i) === code) return i;
    return -1;
  }

  #countNewlines(from: number, to: number): number {
    let count = 0;
    if (this.#unit === 1) {
      // indexOf, several times faster than a loop over the bytes.
      const bytes = this.#buffer.subarray(from, to);
      for (let at = bytes.indexOf(this.#newline); at !== -1; at = bytes.indexOf(this.#newline, at + 1)) count++;
      return count;
    }
    for (let i = from; i < to; i += this.#unit) if (this.#unitAt(i) === this.#newline) count++;
    return count;
  }

  /** Strips a CR before an LF terminator (none before a half code unit a UTF-16 file ends in). */
  #contentEnd(recordEnd: number): number {
    if (this.#newline === 0x0a && recordEnd >= this.#unit && recordEnd % this.#unit === 0 && this.#unitAt(recordEnd - this.#unit) === 0x0d) {
      return recordEnd - this.#unit;
    }
    return recordEnd;
  }

  /** The next record, or null at the end of the file. */
  async next(): Promise<CsvRecord | null> {
    for (;;) {
      const record = await this.#scan();
      if (record !== "blank") return record;
    }
  }

  /**
   * One record. Its length is measured from its own start, never from what happens to have been
   * read, so the same bytes give the same records whatever the chunk sizes: a record whose end
   * lies past MAX_RECORD_BYTES is refused, as unterminated when a quote is open at that point (its
   * first line is reported and reading goes on after it), else as too long.
   */
  async #scan(): Promise<CsvRecord | null | "blank"> {
    const u = this.#unit;
    let pos = 0;
    let inQuotes = false;
    let quoted = false;
    for (;;) {
      if (!inQuotes) {
        const nl = this.#find(this.#newline, pos);
        const quote = this.#openingQuote(pos, nl === -1 ? this.#buffer.length : nl);
        if (quote !== -1 && quote < MAX_RECORD_BYTES) {
          inQuotes = true;
          quoted = true;
          pos = quote + u;
          continue;
        }
        if (nl !== -1) return nl <= MAX_RECORD_BYTES ? this.#emit(nl, quoted, false) : await this.#skipLine(pos, "too_long");
        pos = this.#buffer.length - (this.#buffer.length % u);
        if (pos > MAX_RECORD_BYTES) return await this.#skipLine(pos, "too_long");
      } else {
        const quote = this.#find(0x22, pos);
        if (quote !== -1 && quote < MAX_RECORD_BYTES) {
          const after = quote + u;
          const known = after + u <= this.#buffer.length || this.#done;
          // "" inside quotes is an escaped quote; any other quote (or one at the very end of the
          // file) closes the quoted part. Whether "" follows a quote at the end of what was read
          // is in the next chunk.
          if (known) {
            const escaped = after + u <= this.#buffer.length && this.#unitAt(after) === 0x22;
            pos = escaped ? after + u : after;
            inQuotes = escaped;
            continue;
          }
          pos = quote;
        } else {
          pos = quote === -1 ? this.#buffer.length - (this.#buffer.length % u) : quote;
          if (pos >= MAX_RECORD_BYTES) return await this.#skipLine(0, "unterminated_quote");
        }
      }
      if (!(await this.#fill())) {
        if (this.#buffer.length === 0) return null;
        // A quote left at the end of what was read is decided now that the file has ended.
        if (inQuotes && this.#find(0x22, pos) !== -1) continue;
        if (inQuotes) return await this.#skipLine(0, "unterminated_quote");
        // The last record of a file without a final line break, with any half code unit a UTF-16
        // file ends in: its row then fails as not valid UTF-16 rather than being dropped (and left
        // over, it would be read again and again as an empty record).
        const end = this.#buffer.length;
        return end <= MAX_RECORD_BYTES ? this.#emit(end, quoted, true) : await this.#skipLine(end, "too_long");
      }
    }
  }

  /**
   * The first quote in [from, to) that opens a quoted field: one at the start of a field, as
   * papaparse reads it; elsewhere, as in O"Brien, a quote is a plain character.
   */
  #openingQuote(from: number, to: number): number {
    let quote = this.#quoteAtOrAfter(from, to);
    while (quote > 0 && this.#unitAt(quote - this.#unit) !== this.#delimiter) quote = this.#quoteAtOrAfter(quote + this.#unit, to);
    return quote;
  }

  /**
   * #find for a quote in [from, to), remembering where the last search ended: most files quote
   * few fields, and looking afresh for the next quote on every record would read ahead over the
   * same quote-free bytes again and again.
   */
  #quoteAtOrAfter(from: number, to: number): number {
    if (this.#unit !== 1) return this.#find(0x22, from, to);
    const start = this.#bufferStart + from;
    const end = this.#bufferStart + this.#buffer.length;
    const known = this.#nextQuote;
    let found: number;
    if (start >= known.from && known.at >= start) found = known.at;
    else {
      // Bytes before known.searchedTo were searched already when the last search found nothing.
      const resume = known.at === -1 && start >= known.from ? Math.max(start, known.searchedTo) : start;
      const at = this.#buffer.indexOf(0x22, resume - this.#bufferStart);
      found = at === -1 ? -1 : this.#bufferStart + at;
      this.#nextQuote = { from: start, at: found, searchedTo: end };
    }
    return found === -1 || found - this.#bufferStart >= to ? -1 : found - this.#bufferStart;
  }

  /** Emits the record ending at `end` (the terminator's index); "blank" for an empty line. */
  #emit(end: number, quoted: boolean, atEof: boolean): CsvRecord | "blank" {
    const line = this.#line;
    const contentEnd = this.#contentEnd(end);
    // A view, not a copy: the buffer is never written in place (#fill builds a new one).
    const bytes = this.#buffer.subarray(0, contentEnd);
    const consumed = atEof ? end : end + this.#unit;
    const embedded = quoted ? this.#countNewlines(0, end) : 0;
    this.#consume(consumed);
    this.#line += embedded + (atEof ? 0 : 1);
    if (bytes.length === 0) return "blank";
    return { bytes, line, end: this.#bufferStart, nextLine: this.#line, flag: "ok" };
  }

  /**
   * A record that cannot be read whole: reported with its first bytes, then skipped to the end of
   * the line that holds `from`, without buffering the rest of it. Unterminated: the line is the
   * record's first (from 0), and reading goes on with the next one, so nothing after it is lost.
   * Too long: the line break after `from` ends it; line breaks before `from` were inside quotes.
   */
  async #skipLine(from: number, flag: "unterminated_quote" | "too_long"): Promise<CsvRecord> {
    const line = this.#line;
    const embedded = this.#countNewlines(0, from);
    let bytes: Uint8Array | null = null;
    for (let at = from;;) {
      const nl = this.#find(this.#newline, at);
      if (nl !== -1) {
        bytes ??= this.#buffer.slice(0, Math.min(this.#contentEnd(nl), 1024));
        this.#consume(nl + this.#unit);
        break;
      }
      bytes ??= this.#buffer.slice(0, 1024);
      const keep = this.#buffer.length % this.#unit;
      this.#consume(this.#buffer.length - keep);
      at = 0;
      if (!(await this.#fill())) {
        this.#consume(this.#buffer.length);
        break;
      }
    }
    this.#line += embedded + 1;
    return { bytes, line, end: this.#bufferStart, nextLine: this.#line, flag };
  }
}

/**
 * The cells of one record, parsed on its own: where papaparse and the scanner read a stray quote
 * differently, records parsed together could lend one row's cells to another. A record without a
 * quote has no line break either, so splitting it is exact, and much cheaper than a parse.
 */
export function cellsOf(text: string, format: FileFormat): string[] {
  if (!text.includes('"')) return text.split(format.delimiter);
  // With its line break back: papaparse lets blanks (a stray CR of the \r\r\n that some writers
  // end lines with, spaces) follow a closing quote only before a delimiter or a line break.
  return Papa.parse<string[]>(text + format.newline, { delimiter: format.delimiter, newline: format.newline, quoteChar: '"', skipEmptyLines: false }).data[0] ?? [""];
}

/** Reads the first `max` bytes of a stream (for detection) and returns them with the rest of the stream. */
export async function peek(stream: ReadableStream<Uint8Array>, max: number): Promise<[Uint8Array, ReadableStream<Uint8Array>]> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < max) {
    const result = await reader.read();
    if (result.done) {
      done = true;
      break;
    }
    chunks.push(result.value);
    size += result.value.length;
  }
  const head = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    head.set(chunk, at);
    at += chunk.length;
  }
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
      if (done) controller.close();
    },
    async pull(controller) {
      const result = await reader.read();
      if (result.done) controller.close();
      else controller.enqueue(result.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return [head.subarray(0, Math.min(size, max)), rest];
}
