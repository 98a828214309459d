// Files in Supabase Storage, streamed both ways and never held in memory, behind one interface:
// Supabase Storage's REST API where it runs, and a local folder (SUPABASE_LOCAL_STORAGE_DIR, under
// .local/storage) on the docker-free local stack, which has no Storage server. Paths are
// "<bucket>/<object path>"; both sides refuse anything that could leave the bucket.
import { secretKey } from "./secret-key.ts";

export interface StoredObject {
  bucket: string;
  path: string;
}

/**
 * An object's bytes from some offset on, the size of the whole object, and its version: a tag that
 * changes whenever the object is replaced, whatever its size (each null if not told).
 */
export interface StoredFile {
  body: ReadableStream<Uint8Array>;
  size: number | null;
  version: string | null;
}

/** What a write stored: its size, and the version a read of it names (null if not told). */
export interface Written {
  bytes: number;
  version: string | null;
}

export interface FileStorage {
  readonly kind: "local" | "supabase";
  /** Streams `body` into the object (replacing it). */
  write(object: StoredObject, body: ReadableStream<Uint8Array>): Promise<Written>;
  /**
   * The object's bytes from `offset` on, or null when it does not exist. An offset at or past the
   * object's end is refused (throws), as Storage refuses such a range.
   */
  read(object: StoredObject, offset?: number): Promise<StoredFile | null>;
  /** Removes the object; one already gone is not an error. */
  remove(object: StoredObject): Promise<void>;
  /** Removes all these objects, in as few requests as the backend allows. */
  removeAll(objects: StoredObject[]): Promise<void>;
}

// The characters Supabase Storage takes in object names (its isValidKey: S3's safe ones and a few
// more), but for a leading space; "/" separates the segments.
const SEGMENT = /^[A-Za-z0-9_.=@+()!*'&$;:,?-][A-Za-z0-9 _.=@+()!*'&$;:,?-]{0,254}$/;

/** What a bucket's object path may be, for a caller who named one it may not. */
export const STORAGE_PATH_RULE = "a path of segments of at most 255 letters (A-Z, a-z), digits, spaces and _ . = @ + ( ) ! * ' & $ ; : , ? -, " +
  "none of them . or .., not starting with a space, at most 1024 characters in all";

/** True for a bucket name and object path made of plain segments (no "..", no absolute paths). */
export function isSafeObject(object: StoredObject): boolean {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(object.bucket)) return false;
  const segments = object.path.split("/");
  return object.path.length <= 1024 && segments.every((s) => SEGMENT.test(s) && s !== "." && s !== "..");
}

/** The object a job's storage_path ("<bucket>/<object path>") names. */
export function objectOf(storagePath: string): StoredObject {
  const slash = storagePath.indexOf("/");
  return { bucket: storagePath.slice(0, slash), path: storagePath.slice(slash + 1) };
}

// A write replaces the file by a rename (a new inode); an edit in place moves its mtime.
const localVersion = ({ ino, mtime }: Deno.FileInfo) => `${ino ?? ""}:${mtime?.getTime() ?? ""}`;

function assertSafe(object: StoredObject): void {
  if (!isSafeObject(object)) throw new Error(`unsafe storage path: ${object.bucket}/${object.path}`);
}

/** A local folder standing in for Storage: <root>/<bucket>/<path>. */
export class LocalFolderStorage implements FileStorage {
  readonly kind = "local";
  constructor(readonly root: string) {}

  #file(object: StoredObject): string {
    assertSafe(object);
    return `${this.root}/${object.bucket}/${object.path}`;
  }

  async write(object: StoredObject, body: ReadableStream<Uint8Array>): Promise<Written> {
    const target = this.#file(object);
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    const partial = `${target}.partial-${crypto.randomUUID()}`;
    const file = await Deno.open(partial, { write: true, create: true, truncate: true });
    let written = 0;
    try {
      await body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          written += chunk.byteLength;
          controller.enqueue(chunk);
        },
      })).pipeTo(file.writable);
      // The rename keeps the inode and mtime: the version of exactly these bytes.
      const version = localVersion(await Deno.stat(partial));
      await Deno.rename(partial, target);
      return { bytes: written, version };
    } catch (error) {
      await Deno.remove(partial).catch(() => {});
      throw error;
    }
  }

  async read(object: StoredObject, offset = 0): Promise<StoredFile | null> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.#file(object), { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    const info = await file.stat();
    // As Storage answers a range that starts at or past the object's end (InvalidRange).
    if (offset > 0 && offset >= info.size) {
      file.close();
      throw new Error(`storage refused the range bytes=${offset}- of a ${info.size}-byte object`);
    }
    if (offset > 0) await file.seek(offset, Deno.SeekMode.Start);
    return { body: file.readable, size: info.size, version: localVersion(info) };
  }

  async remove(object: StoredObject): Promise<void> {
    await Deno.remove(this.#file(object)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  async removeAll(objects: StoredObject[]): Promise<void> {
    for (const object of objects) await this.remove(object);
  }
}

/** The most paths Storage's DELETE /object/<bucket> takes in one request. */
const REMOVE_BATCH = 1000;

/** Supabase Storage over its REST API with the service's secret key (the caller is authorized first). */
export class SupabaseStorage implements FileStorage {
  readonly kind = "supabase";
  constructor(readonly url: string, readonly secretKey: string) {}

  #endpoint(object: StoredObject): string {
    assertSafe(object);
    const path = object.path.split("/").map(encodeURIComponent).join("/");
    return `${this.url}/storage/v1/object/${encodeURIComponent(object.bucket)}/${path}`;
  }

  #headers(extra: Record<string, string> = {}): Headers {
    return new Headers({ apikey: this.secretKey, Authorization: `Bearer ${this.secretKey}`, ...extra });
  }

  async write(object: StoredObject, body: ReadableStream<Uint8Array>): Promise<Written> {
    let written = 0;
    const counted = body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        written += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }));
    const response = await fetch(this.#endpoint(object), {
      method: "POST",
      headers: this.#headers({ "content-type": "text/csv", "x-upsert": "true" }),
      body: counted,
      // @ts-ignore: streamed request bodies need duplex half (Fetch spec).
      duplex: "half",
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`storage upload failed with ${response.status}`);
    // The upload's answer names no ETag; a read's headers do (its body is never fetched).
    const stored = await this.read(object);
    await stored?.body.cancel();
    return { bytes: written, version: stored?.version ?? null };
  }

  async read(object: StoredObject, offset = 0): Promise<StoredFile | null> {
    const response = await fetch(this.#endpoint(object), {
      headers: this.#headers(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
    });
    if (response.status === 404 || response.status === 400) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok || !response.body) throw new Error(`storage download failed with ${response.status}`);
    if (offset > 0 && response.status !== 206) throw new Error("storage did not honour the byte range");
    // A range answer names the whole size after the slash (bytes 100-199/5000); a whole one, its
    // length, unless it came compressed (fetch decodes it, the length is the encoded one's).
    const total = response.status === 206
      ? response.headers.get("content-range")?.match(/\/(\d+)$/)?.[1]
      : response.headers.has("content-encoding") ? null : response.headers.get("content-length");
    // The ETag names the whole object's content, in a range answer too.
    return { body: response.body, size: total ? Number(total) : null, version: response.headers.get("etag") };
  }

  remove(object: StoredObject): Promise<void> {
    return this.removeAll([object]);
  }

  async removeAll(objects: StoredObject[]): Promise<void> {
    const byBucket = Map.groupBy(objects, (object) => object.bucket);
    for (const [bucket, inBucket] of byBucket) {
      inBucket.forEach(assertSafe);
      for (let start = 0; start < inBucket.length; start += REMOVE_BATCH) {
        const response = await fetch(`${this.url}/storage/v1/object/${encodeURIComponent(bucket)}`, {
          method: "DELETE",
          headers: this.#headers({ "content-type": "application/json" }),
          body: JSON.stringify({ prefixes: inBucket.slice(start, start + REMOVE_BATCH).map((object) => object.path) }),
        });
        await response.body?.cancel();
        if (!response.ok && response.status !== 404) throw new Error(`storage delete failed with ${response.status}`);
      }
    }
  }
}

/** The local folder where SUPABASE_LOCAL_STORAGE_DIR names one (the local stack), else Supabase Storage. */
export function fileStorage(): FileStorage {
  const local = Deno.env.get("SUPABASE_LOCAL_STORAGE_DIR");
  if (local) return new LocalFolderStorage(local);
  const url = Deno.env.get("SUPABASE_URL");
  if (!url) throw new Error("SUPABASE_URL is not set");
  return new SupabaseStorage(url, secretKey("for Storage"));
}
