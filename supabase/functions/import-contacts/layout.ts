// Where the header of a file is. Most files start with it; some put lines before it that are no
// rows: Excel's `sep=;` line, LinkedIn's "Notes:" preamble (Connections.csv), or whatever a caller
// skips with the header_row option. The intake (counting rows) and the worker (reading the header)
// ask the same locator, record by record, so both agree on which records are rows.
import { cellsOf, type CsvRecord, type FileFormat, type RecordReader } from "./csv.ts";
import { HeaderError } from "./rows.ts";

export class HeaderLocator {
  readonly #format: FileFormat;
  readonly #headerRow: number | undefined;
  #records = 0;
  #preamble = false;

  /** `headerRow`: the physical line (1-based) the header starts on, when the caller names it. */
  constructor(format: FileFormat, headerRow?: number) {
    this.#format = format;
    this.#headerRow = headerRow;
  }

  /**
   * Whether the next record of the file, starting on `line` and reading `text`, is the header;
   * false when it comes before it. Throws when header_row names a line no record starts on.
   */
  isHeader(line: number, text: string): boolean {
    const first = this.#records++ === 0;
    if (this.#headerRow !== undefined) {
      if (line > this.#headerRow) throw this.missing();
      return line === this.#headerRow;
    }
    if (first && this.#format.sepLine) return false;
    const named = cellsOf(text.replace(/^\uFEFF/, ""), this.#format).map((cell) => cell.trim()).filter((cell) => cell !== "");
    // `Notes:` alone, or padded with empty cells to the table's width, as Excel and Google Sheets
    // save the file again.
    if (!this.#preamble && this.#records <= (this.#format.sepLine ? 2 : 1) && named.length === 1 && named[0] === "Notes:") {
      this.#preamble = true;
      return false;
    }
    // LinkedIn's preamble is a line or two of prose, each one field: the header is the first record
    // of more than one named column.
    return !this.#preamble || named.length >= 2;
  }

  /** Why no header was found before the file ended (or, for header_row, before its line passed). */
  missing(): HeaderError {
    return this.#headerRow !== undefined
      ? new HeaderError("header_row_not_found", `no row starts on line ${this.#headerRow} (header_row): it is blank, inside a quoted field or past the end of the file`)
      : new HeaderError("empty_file", "the file has no header row");
  }
}

/** The header record, the records before it read past; throws (HeaderError) when there is none. */
export async function readHeader(reader: RecordReader, format: FileFormat, headerRow?: number): Promise<CsvRecord> {
  const locator = new HeaderLocator(format, headerRow);
  const decoder = new TextDecoder(format.encoding);
  for (let record = await reader.next(); record; record = await reader.next()) {
    if (locator.isHeader(record.line, decoder.decode(record.bytes))) return record;
  }
  throw locator.missing();
}
