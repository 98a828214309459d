// Receiving the file of an import without ever holding it in memory: the raw request body
// (text/csv), the file part of a multipart form (streamed by busboy), or a file already in Storage.
// The bytes stream through one pass that writes them to Storage (uploads), hashes them (SHA-256,
// for idempotency), settles their encoding and counts the records with the same scanner the worker
// uses, refusing a file over the size or row limit with 413 as soon as it passes it, before the
// rest is read.
//
// @supabase/server buffers a request body lazily: withSupabase wraps the request so that
// arrayBuffer(), text(), json() and formData() read it once into memory. This module never calls
// them; it reads `req.body`, the raw stream, which the wrapper passes through untouched, so a
// 512 MB upload flows through in chunks of a few kilobytes.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { Busboy, type BusboyInstance } from "@fastify/busboy";
import { assertDeclaredSize, HttpError, payloadTooLarge } from "../_shared/http.ts";
import { validationFailed } from "../_shared/schemas.ts";
import { type FileStorage, isSafeObject, STORAGE_PATH_RULE, type StoredObject, type Written } from "../_shared/storage.ts";
import { detectFormat, type Encoding, EncodingCheck, type FileFormat, peek, RecordReader } from "./csv.ts";
import { HeaderLocator } from "./layout.ts";
import { HeaderError, storable } from "./rows.ts";

export interface Limits {
  maxBytes: number;
  maxRows: number;
}

export function importLimits(): Limits {
  const read = (name: string, fallback: number) => {
    const value = Number(Deno.env.get(name));
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return { maxBytes: read("IMPORT_MAX_BYTES", 512 * 1024 * 1024), maxRows: read("IMPORT_MAX_ROWS", 1_048_576) };
}

export interface Intake {
  sha256: string;
  size: number;
  /** Data rows (records after the header; the lines before it are none). */
  rows: number;
  /** The encoding to read the file in: given, detected from its first bytes, or settled by all of them. */
  encoding: Encoding;
  /** The version of the stored file these bytes are (null when Storage names none, or nothing was stored). */
  version: string | null;
}

/** The encoding, delimiter and header line an import was given, if any. */
export type FileOptions = Partial<Pick<FileFormat, "encoding" | "delimiter">> & { header_row?: number };

/** A sep= first line naming a delimiter the import does not read: refused before anything is stored. */
function unreadableSepLine(named: string): HttpError {
  const message = `The file's first line, sep=${named}, names ${JSON.stringify(named)} as its delimiter; ` +
    "the import reads , ; tab and |: save the file with one of them";
  return new HttpError(422, "validation_failed", message, { issues: [{ path: ["file"], code: "custom", message }] });
}

/**
 * One pass over the file: hash, size and record count, refusing it once it passes a limit; when
 * `target` is given the bytes are also written there. Encoding and delimiter given in the options
 * count the records as the worker will read them.
 */
export async function scanFile(
  body: ReadableStream<Uint8Array>,
  limits: Limits,
  format: FileOptions,
  write?: (stream: ReadableStream<Uint8Array>) => Promise<Written>,
): Promise<Intake> {
  const [sample, stream] = await peek(body, 64 * 1024);
  const detected = detectFormat(sample, format);
  if (detected.unreadableSep !== null) throw unreadableSepLine(detected.unreadableSep);
  const encoding = new EncodingCheck(sample, detected, format.encoding);
  const hash = createHash("sha256");
  let size = 0;
  // The counter reads its own copy through a queue of one chunk, so it holds the pipeline back
  // rather than buffering ahead of it.
  const counted = new TransformStream<Uint8Array, Uint8Array>({}, { highWaterMark: 1 });
  const counterWriter = counted.writable.getWriter();
  let rows = 0;
  let overLimit: HttpError | null = null;
  // The counter reads from after the byte-order mark, as the worker does: counted as part of the
  // first record, a BOM before a blank line would make that line the header, and the header a row.
  let bomLeft = detected.bom;
  const reader = new RecordReader(counted.readable, detected, detected.bom, 1);
  const counting = (async () => {
    // The records up to the header, as the worker will find it, are no rows. A file whose header
    // the worker will not find (header_row on no record's line) has no rows.
    const locator = new HeaderLocator(detected, format.header_row);
    const decoder = new TextDecoder(detected.encoding);
    let header: "before" | "read" | "missing" = "before";
    for (let record = await reader.next(); record; record = await reader.next()) {
      if (header === "before") {
        try {
          if (locator.isHeader(record.line, decoder.decode(record.bytes))) header = "read";
        } catch (error) {
          if (!(error instanceof HeaderError)) throw error;
          header = "missing";
        }
        continue;
      }
      if (header === "missing") continue;
      rows++;
      if (rows > limits.maxRows) {
        overLimit = payloadTooLarge(limits.maxRows, "rows", "The file");
        await reader.cancel();
        break;
      }
    }
  })();
  // Awaited below on success; on failure the pipeline's own error is the one reported.
  counting.catch(() => {});
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      if (overLimit) throw overLimit;
      size += chunk.byteLength;
      if (size > limits.maxBytes) throw payloadTooLarge(limits.maxBytes, "bytes", "The file");
      hash.update(chunk);
      encoding.push(chunk);
      const afterBom = bomLeft > 0 ? chunk.subarray(Math.min(bomLeft, chunk.length)) : chunk;
      bomLeft = Math.max(0, bomLeft - chunk.length);
      try {
        if (afterBom.length > 0) await counterWriter.write(afterBom);
      } catch (error) {
        throw overLimit ?? error;
      }
      if (overLimit) throw overLimit;
      controller.enqueue(chunk);
    },
    async flush() {
      await counterWriter.close().catch(() => {});
      await counting;
      if (overLimit) throw overLimit;
    },
  });
  const piped = stream.pipeThrough(tap);
  let version: string | null = null;
  try {
    if (write) version = (await write(piped)).version;
    else await piped.pipeTo(new WritableStream());
  } catch (error) {
    await counterWriter.abort().catch(() => {});
    await reader.cancel();
    throw overLimit ?? error;
  }
  await counting;
  return { sha256: hash.digest("hex"), size, rows, encoding: encoding.finish(), version };
}

export interface Upload {
  intake: Intake;
  fileName: string | null;
}

/** Where uploads are written, and how one that is not kept is discarded. */
export interface Uploads {
  storage: FileStorage;
  discard(object: StoredObject): Promise<void>;
}

/** A text/csv (or octet-stream) body streamed into `object`; on failure nothing is left there. */
export async function receiveBody(
  req: Request,
  { storage, discard }: Uploads,
  object: StoredObject,
  limits: Limits,
  format: FileOptions,
): Promise<Upload> {
  // The body is the file: a declared size over this request's limit is refused before a byte is read.
  assertDeclaredSize(req, limits.maxBytes, "The file");
  if (!req.body) {
    return { intake: { sha256: createHash("sha256").digest("hex"), size: 0, rows: 0, encoding: "utf-8", version: null }, fileName: null };
  }
  try {
    return { intake: await scanFile(req.body, limits, format, (stream) => storage.write(object, stream)), fileName: null };
  } catch (error) {
    await discard(object);
    throw error;
  }
}

const MAX_FORM_FIELDS = 20;
/** How long the rest of a multipart body may take once its file part is stored. */
const BODY_END_GRACE_MS = 10_000;
const MAX_FIELD_BYTES = 32 * 1024;
const ONE_FILE_PART = "Send exactly one file part, named file";

const tooManyFields = () =>
  new HttpError(413, "payload_too_large", `The form has more than ${MAX_FORM_FIELDS} option fields`, { max_fields: MAX_FORM_FIELDS });

/**
 * The name a part gives its file, as the job shows it. It only labels the job, so a name the
 * database could not store (a NUL, over 255 characters) is cleaned rather than failing the upload.
 */
function displayFileName(name: string | undefined): string | null {
  return storable((name ?? "").trim(), 255).trim() || null;
}

export interface MultipartPlan {
  object: StoredObject;
  limits: Limits;
  format: FileOptions;
}

/**
 * A multipart/form-data body: option fields first, then one file part (field `file`). When the
 * file part starts, `prepare` turns the fields read so far into where and how to store it; the
 * upload comes back with that plan. On any failure the file part and the parser are destroyed,
 * the rest of the body is left unread, and nothing is left in Storage, not even a partial file.
 */
export async function receiveMultipart<P extends MultipartPlan>(
  req: Request,
  { storage, discard }: Uploads,
  maxBytes: number,
  prepare: (fields: Record<string, string>) => P,
): Promise<Upload & { plan: P }> {
  let busboy: BusboyInstance;
  try {
    busboy = new Busboy({
      headers: { "content-type": req.headers.get("content-type") ?? "" },
      limits: { files: 1, fields: MAX_FORM_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: MAX_FORM_FIELDS + 1, fileSize: maxBytes + 1 },
      // The part named file is the file, also without a file name (curl -F 'file=<contacts.csv',
      // FormData.append("file", text)), which busboy would otherwise read as one more field.
      isPartAFile: (name, contentType, fileName) => name === "file" || fileName !== undefined || contentType === "application/octet-stream",
    });
  } catch {
    throw new HttpError(400, "bad_request", "The multipart body has no boundary");
  }
  const fields: Record<string, string> = {};
  let reading = true;
  let bodyEnd: ReturnType<typeof setTimeout> | undefined;
  // Set from busboy's events; an object, so that the reads after the awaits below see them.
  const state: { part: FilePart<P> | null; failure: { error: unknown } | null } = { part: null, failure: null };
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const fail = (error: unknown) => {
    if (state.failure) return;
    state.failure = { error };
    // Nothing more is parsed or handed to the scan, and busboy is never ended: the scan's stream
    // ends in an error if it had not failed already, and it removes its partial file.
    state.part?.file.destroy();
    busboy.destroy();
    stop();
  };

  busboy.on("field", (name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
    if (state.part) fail(new HttpError(400, "bad_request", `Put the option fields before the file part (${name} came after it)`));
    else if (valueTruncated) fail(payloadTooLarge(MAX_FIELD_BYTES, "bytes", `The form field ${name}`));
    // One value an option, as in the query: the last of two must not decide alone.
    else if (Object.hasOwn(fields, name)) fail(validationFailed([{ path: name, code: "custom", message: "given more than once" }]));
    else fields[name] = value;
  });
  // Past a limit busboy drops the part and says so only by an event: a second file or a field over
  // the count would otherwise vanish from an import that is reported as received.
  busboy.on("filesLimit", () => fail(new HttpError(400, "bad_request", ONE_FILE_PART)));
  busboy.on("fieldsLimit", () => fail(tooManyFields()));
  busboy.on("partsLimit", () => fail(tooManyFields()));
  busboy.on("file", (name: string, file: Readable, fileName: string) => {
    if (name !== "file" || state.part || state.failure) {
      drain(file);
      fail(new HttpError(400, "bad_request", ONE_FILE_PART));
      return;
    }
    let plan: P;
    try {
      plan = prepare(fields);
    } catch (error) {
      drain(file);
      fail(error);
      return;
    }
    const scan = scanFile(fileStream(file), plan.limits, plan.format, (stream) => storage.write(plan.object, stream));
    state.part = { plan, file, fileName: displayFileName(fileName), scan };
    scan.catch(fail);
    // Once the file is stored only the closing boundary should follow. A body that stays open past
    // that would hold the invocation (and the upload, which no job names yet) until the platform
    // kills it at its wall clock, and nothing would remove the file then.
    scan.then(() => {
      if (reading) bodyEnd = setTimeout(() => fail(new HttpError(400, "bad_request", `The multipart body did not end within ${BODY_END_GRACE_MS / 1000} s of its file part`)), BODY_END_GRACE_MS);
    }, () => {});
  });
  busboy.on("error", () => fail(new HttpError(400, "bad_request", "The multipart body is malformed")));
  const parsed = new Promise<void>((resolve) => busboy.on("finish", resolve));

  try {
    await feed(req.body, busboy, stopped, () => state.failure !== null).catch(fail);
    if (!state.failure) await Promise.race([parsed, stopped]);
  } finally {
    reading = false;
    clearTimeout(bodyEnd);
  }
  if (!state.part) {
    fail(new HttpError(422, "validation_failed", "The form has no file part", { issues: [{ path: "file", code: "custom", message: "missing file part" }] }));
  }
  // The scan settles either way, with the file or with the error its stream ended in.
  const part = state.part;
  const intake = await part?.scan.catch(() => null);
  if (state.failure || !part || !intake) {
    if (part) await discard(part.plan.object);
    throw state.failure?.error;
  }
  return { intake, fileName: part.fileName, plan: part.plan };
}

/** A part nobody reads: its data dropped, its errors (a body cut off in it) not thrown. */
function drain(file: Readable): void {
  file.on("error", () => {});
  file.resume();
}

interface FilePart<P> {
  plan: P;
  file: Readable;
  fileName: string | null;
  scan: Promise<Intake>;
}

/**
 * Writes the body into busboy, waiting when it asks to, until the body ends (then busboy is ended)
 * or `isStopped` (then the rest of the body is cancelled unread).
 */
async function feed(body: ReadableStream<Uint8Array> | null, busboy: BusboyInstance, stopped: Promise<void>, isStopped: () => boolean): Promise<void> {
  const reader = body?.getReader();
  try {
    for (;;) {
      const read = reader ? await Promise.race([reader.read(), stopped]) : { done: true as const };
      if (isStopped() || !read) return;
      if (read.done) return void busboy.end();
      if (!busboy.write(Buffer.from(read.value.buffer, read.value.byteOffset, read.value.byteLength))) {
        await Promise.race([new Promise((drained) => busboy.once("drain", drained)), stopped]);
      }
    }
  } finally {
    if (isStopped()) await reader?.cancel().catch(() => {});
  }
}

/**
 * A file part as a web stream. Built here rather than with Readable.toWeb: once the scan stops
 * reading (a limit passed), busboy may still push data into the part and end it, and toWeb would
 * enqueue into (or close) the cancelled stream and throw where nothing catches it, killing the
 * worker. Here whatever arrives after a cancel is drained and dropped.
 */
function fileStream(file: Readable): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const end = (settle: () => void) => {
        if (!open) return;
        open = false;
        settle();
      };
      file.on("data", (chunk: Buffer) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) file.pause();
      });
      file.once("end", () => end(() => controller.close()));
      file.on("error", (error) => end(() => controller.error(error)));
      // Destroyed without an end: the part was cut off.
      file.once("close", () => end(() => controller.error(new Error("the file part ended early"))));
    },
    pull() {
      file.resume();
    },
    cancel() {
      open = false;
      file.resume();
    },
  }, { highWaterMark: 1 });
}

/** A caller's Storage reference: only objects under the owner's own folder (<owner id>/...). */
export function ownedObject(reference: StoredObject, ownerId: string): StoredObject {
  if (!isSafeObject(reference)) {
    throw validationFailed([{ path: "storage.path", code: "custom", message: STORAGE_PATH_RULE }]);
  }
  if (!reference.path.startsWith(`${ownerId}/`)) {
    throw new HttpError(404, "not_found", "No such file in Storage, or it is not yours");
  }
  return reference;
}
