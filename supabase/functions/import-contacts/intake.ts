// Receiving the file of an import without ever holding it in memory: the raw request body
// (text/csv), the file part of a multipart form (streamed by busboy), or a file already in Storage.
// The bytes stream through one pass that writes them to Storage (uploads), hashes them (SHA-256,
// for idempotency) and counts the records with the same scanner the worker uses, refusing a file
// over the size or row limit with 413 as soon as it passes it, before the rest is read.
//
// @supabase/server buffers a request body lazily: withSupabase wraps the request so that
// arrayBuffer(), text(), json() and formData() read it once into memory. This module never calls
// them; it reads `req.body`, the raw stream, which the wrapper passes through untouched, so a
// 512 MB upload flows through in chunks of a few kilobytes.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { Busboy, type BusboyInstance } from "@fastify/busboy";
import { HttpError, payloadTooLarge } from "../_shared/http.ts";
import { type FileStorage, isSafeObject, type StoredObject } from "../_shared/storage.ts";
import { detectFormat, peek, RecordReader } from "./csv.ts";

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
  /** Data rows (records after the header). */
  rows: number;
}

/**
 * One pass over the file: hash, size and record count, refusing it once it passes a limit; when
 * `target` is given the bytes are also written there. Encoding and delimiter given in the options
 * count the records as the worker will read them.
 */
export async function scanFile(
  body: ReadableStream<Uint8Array>,
  limits: Limits,
  format: { encoding?: "utf-8" | "utf-16le" | "utf-16be" | "windows-1252"; delimiter?: "," | ";" | "\t" | "|" },
  write?: (stream: ReadableStream<Uint8Array>) => Promise<number>,
): Promise<Intake> {
  const [sample, stream] = await peek(body, 64 * 1024);
  const detected = detectFormat(sample, format);
  const hash = createHash("sha256");
  let size = 0;
  // The counter reads its own copy through a queue of one chunk, so it holds the pipeline back
  // rather than buffering ahead of it.
  const counted = new TransformStream<Uint8Array, Uint8Array>({}, { highWaterMark: 1 });
  const counterWriter = counted.writable.getWriter();
  let records = 0;
  let overLimit: HttpError | null = null;
  const reader = new RecordReader(counted.readable, detected, 0, 1);
  const counting = (async () => {
    // The BOM is part of the first record's bytes here; it does not change the count.
    while (await reader.next()) {
      records++;
      if (records - 1 > limits.maxRows) {
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
      try {
        await counterWriter.write(chunk);
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
  try {
    if (write) await write(piped);
    else await piped.pipeTo(new WritableStream());
  } catch (error) {
    await counterWriter.abort().catch(() => {});
    await reader.cancel();
    throw overLimit ?? error;
  }
  await counting;
  return { sha256: hash.digest("hex"), size, rows: Math.max(records - 1, 0) };
}

export interface Upload {
  intake: Intake;
  fileName: string | null;
  fields: Record<string, string>;
}

/** A text/csv (or octet-stream) body streamed into `object`. */
export async function receiveBody(
  req: Request,
  storage: FileStorage,
  object: StoredObject,
  limits: Limits,
  format: Parameters<typeof scanFile>[2],
): Promise<Upload> {
  if (!req.body) return { intake: { sha256: createHash("sha256").digest("hex"), size: 0, rows: 0 }, fileName: null, fields: {} };
  const intake = await scanFile(req.body, limits, format, (stream) => storage.write(object, stream));
  return { intake, fileName: null, fields: {} };
}

export interface MultipartPlan {
  object: StoredObject;
  limits: Limits;
  format: Parameters<typeof scanFile>[2];
}

/**
 * A multipart/form-data body: option fields first, then one file part (field `file`). When the
 * file part starts, `prepare` turns the fields read so far into where and how to store it.
 */
export function receiveMultipart(
  req: Request,
  storage: FileStorage,
  maxBytes: number,
  prepare: (fields: Record<string, string>) => MultipartPlan,
): Promise<Upload> {
  return new Promise<Upload>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let upload: Promise<Upload> | null = null;
    let settled = false;
    const finish = (error: unknown, value?: Upload) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve(value!);
    };
    let busboy: BusboyInstance;
    try {
      busboy = new Busboy({
        headers: { "content-type": req.headers.get("content-type") ?? "" },
        limits: { files: 1, fields: 20, fieldSize: 32 * 1024, parts: 21, fileSize: maxBytes + 1 },
      });
    } catch {
      throw new HttpError(400, "bad_request", "The multipart body has no boundary");
    }
    busboy.on("field", (name: string, value: string) => {
      if (upload) {
        finish(new HttpError(400, "bad_request", `Put the option fields before the file part (${name} came after it)`));
        return;
      }
      fields[name] = value;
    });
    busboy.on("file", (name: string, file: Readable, fileName: string) => {
      if (name !== "file" || upload) {
        file.resume();
        finish(new HttpError(400, "bad_request", "Send exactly one file part, named file"));
        return;
      }
      let plan: MultipartPlan;
      try {
        plan = prepare(fields);
      } catch (error) {
        file.resume();
        finish(error);
        return;
      }
      const stream = Readable.toWeb(file) as unknown as ReadableStream<Uint8Array>;
      upload = scanFile(stream, plan.limits, plan.format, (s) => storage.write(plan.object, s))
        .then((intake) => ({ intake, fileName: fileName || null, fields }));
      upload.catch((error) => finish(error));
    });
    busboy.on("error", () => finish(new HttpError(400, "bad_request", "The multipart body is malformed")));
    busboy.on("finish", () => {
      if (!upload) finish(new HttpError(422, "validation_failed", "The form has no file part", { issues: [{ path: "file", code: "custom", message: "missing file part" }] }));
      else upload.then((value) => finish(null, value), (error) => finish(error));
    });
    (async () => {
      const reader = req.body!.getReader();
      try {
        for (;;) {
          if (settled) break;
          const { value, done } = await reader.read();
          if (done) break;
          if (!busboy.write(Buffer.from(value.buffer, value.byteOffset, value.byteLength))) {
            await new Promise((drained) => busboy.once("drain", drained));
          }
        }
        busboy.end();
      } catch (error) {
        finish(error);
      } finally {
        if (settled) await reader.cancel().catch(() => {});
      }
    })();
  });
}

/** A caller's Storage reference: only objects under the owner's own folder (<owner id>/...). */
export function ownedObject(reference: StoredObject, ownerId: string): StoredObject {
  if (!isSafeObject(reference) || !reference.path.startsWith(`${ownerId}/`)) {
    throw new HttpError(404, "not_found", "No such file in Storage, or it is not yours");
  }
  return reference;
}
