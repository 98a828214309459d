// import-contacts: CSV files into contacts, as jobs that report progress, keep an error report,
// resume after a crash and can be undone.
//   POST   /import-contacts                 the file (text/csv body, multipart field `file`, or JSON
//                                           { storage: { bucket, path }, ...options }; an owner's
//                                           file in imports/<owner id>/): 202 + job
//   GET    /import-contacts/<id>            progress
//   GET    /import-contacts/<id>/errors     the error report (?format=json|csv; JSON in pages of
//                                           ?limit= lines, the next from ?after=<next_after>)
//   DELETE /import-contacts/<id>            undo (also POST .../<id>/undo); the upload goes once done
//   POST   /import-contacts/<id>/resume     continue a failed or interrupted job
//   POST   /import-contacts/<id>/cancel     stop a pending or running job, or give up a failed one,
//                                           and remove its upload
//   POST   /import-contacts/<id>/process    one bounded slice of work (the service only: the
//                                           function hands work on to itself with its secret key)
// Callers: the owner, or the service (secret key) naming the owner (owner_id); on a job's routes
// for callers (progress, errors, undo, resume, cancel) the service may name the owner too
// (?owner_id=), and then reaches only that owner's jobs. Agent tokens: 403.
import { createHandler, type FunctionContext, forbidAgentTokens } from "../_shared/auth.ts";
import { guardDatabase } from "../_shared/db.ts";
import { assertMethod, HttpError } from "../_shared/http.ts";
import { ownerScope } from "../_shared/data-subjects.ts";
import { parseJson, parseQuery, parseWith, queryParams, validationFailed } from "../_shared/schemas.ts";
import { afterOf, ErrorsQuery, ImportOptions, JobPath, JobQuery, StorageImportRequest } from "../_shared/schemas/import.ts";
import { fileStorage, type StoredObject } from "../_shared/storage.ts";
import { importLimits, type Intake, ownedObject, receiveBody, receiveMultipart, scanFile, type Uploads } from "./intake.ts";
import { cancel, errorCsv, errorPage, handOn, type LoadedJob, loadJob, notFound, reopen, undo } from "./jobs.ts";
import { runSlice } from "./process.ts";
import { discardUnusedUpload, discardUpload } from "./uploads.ts";

const FN = "import-contacts";
const UPLOAD_BUCKET = "imports";
const MULTIPART_OVERHEAD = 256 * 1024;
const CSV_TYPES = /^(text\/(csv|plain|tab-separated-values)|application\/(octet-stream|csv|vnd\.ms-excel))\b/;

const route = (url: URL) => {
  const parts = url.pathname.split("/").filter(Boolean);
  const at = parts.indexOf(FN);
  return at === -1 ? parts : parts.slice(at + 1);
};

const guard = <T>(ctx: FunctionContext, req: Request, operation: "read" | "write" | "delete", work: () => Promise<T>): Promise<T> =>
  guardDatabase(operation, { fn: ctx.fn, req }, work);

export const handler = createHandler(
  {
    name: FN,
    methods: ["GET", "POST", "DELETE"],
    auth: ["user", "secret"],
    maxBodyBytes: importLimits().maxBytes + MULTIPART_OVERHEAD,
  },
  async (req, ctx) => {
    forbidAgentTokens(ctx.caller, "import contacts");
    const [jobId, action, ...extra] = route(ctx.url);
    if (extra.length > 0) throw notFound();
    if (jobId === undefined) {
      assertMethod(req, ["POST"]);
      return await createImport(req, ctx);
    }
    const id = parseWith(JobPath, { id: jobId }).id;
    const key = `${req.method} ${action ?? ""}`;
    switch (key) {
      case "GET ":
        return await progress(req, ctx, id);
      case "GET errors":
        return await errors(req, ctx, id);
      case "DELETE ":
      case "POST undo":
        return await undoJob(req, ctx, id);
      case "POST resume":
        return await resume(req, ctx, id);
      case "POST cancel":
        return await cancelJob(req, ctx, id);
      case "POST process":
        if (ctx.caller.kind !== "service") throw new HttpError(403, "forbidden", "Only the service runs import slices");
        return Response.json({ job_id: id, state: await runAndHandOn(id) });
      default:
        if (["process", "resume", "cancel", "undo", "errors", ""].includes(action ?? "")) {
          assertMethod(req, action === "errors" ? ["GET"] : action === undefined ? ["GET", "DELETE"] : ["POST"]);
        }
        throw notFound();
    }
  },
);

/** One slice, then the rest handed on to a new invocation. */
async function runAndHandOn(jobId: string): Promise<string> {
  const state = await runSlice(jobId, fileStorage());
  if (state === "continue") handOn(jobId, "process");
  return state;
}

function optionsFrom(raw: Record<string, unknown>): ImportOptions {
  const options = parseWith(ImportOptions, raw);
  const limits = importLimits();
  for (const [path, value, max] of [["max_rows", options.max_rows, limits.maxRows], ["max_bytes", options.max_bytes, limits.maxBytes]] as const) {
    if (value !== undefined && value > max) {
      throw validationFailed([{ path, code: "too_big", message: `at most ${max}` }]);
    }
  }
  return options;
}

/** A file on its way into a job: where it is, whose it is, what the intake found, and how to import it. */
interface Received {
  options: ImportOptions;
  ownerId: string;
  object: StoredObject;
  intake: Intake;
  fileName: string | null;
  source: "upload" | "storage";
}

/**
 * The options of the query and of the body together. One given in both is refused, as a repeated
 * query key is: `?dry_run=true` with a field `dry_run=false` must not become a real import.
 */
function inOnePlace(query: Record<string, string>, body: Record<string, unknown>): Record<string, unknown> {
  const twice = Object.keys(body).filter((key) => Object.hasOwn(query, key));
  if (twice.length > 0) throw validationFailed(twice.map((path) => ({ path, code: "custom", message: "given both in the query and in the body" })));
  return { ...query, ...body };
}

const ownerOf = (ctx: FunctionContext, options: ImportOptions) => ownerScope(ctx.caller, options.owner_id) ?? ctx.caller.userId!;

const uploadObject = (ownerId: string): StoredObject => ({ bucket: UPLOAD_BUCKET, path: `${ownerId}/${crypto.randomUUID()}.csv` });

/** JSON: a file the caller put in Storage, under their own folder; options in the body or the query. */
async function receiveReference(req: Request, ctx: FunctionContext, query: Record<string, string>, { storage }: Uploads): Promise<Received> {
  const { storage: reference, ...rest } = await parseJson(req, StorageImportRequest);
  const options = optionsFrom(inOnePlace(query, rest));
  const ownerId = ownerOf(ctx, options);
  // The worker reads the file with the service's rights: an owner names only a file of the bucket
  // whose policies give them their own folder, never one of a bucket they may not read.
  if (ctx.caller.kind !== "service" && reference.bucket !== UPLOAD_BUCKET) {
    throw validationFailed([{ path: "storage.bucket", code: "custom", message: `must be "${UPLOAD_BUCKET}": upload the file to ${UPLOAD_BUCKET}/<your user id>/...` }]);
  }
  const object = ownedObject(reference, ownerId);
  const file = await storage.read(object, 0);
  if (!file) throw new HttpError(404, "not_found", "No such file in Storage, or it is not yours");
  const intake = { ...await scanFile(file.body, rowLimits(options), options), version: file.version };
  return { options, ownerId, object, intake, fileName: object.path.split("/").pop() ?? null, source: "storage" };
}

/** Multipart: options as form fields (before the file part) or in the query. */
async function receiveForm(req: Request, ctx: FunctionContext, query: Record<string, string>, uploads: Uploads): Promise<Received> {
  const { intake, fileName, plan } = await receiveMultipart(req, uploads, importLimits().maxBytes + MULTIPART_OVERHEAD, (fields) => {
    const options = optionsFrom(inOnePlace(query, fields));
    const ownerId = ownerOf(ctx, options);
    return { options, ownerId, object: uploadObject(ownerId), limits: rowLimits(options), format: options };
  });
  return { options: plan.options, ownerId: plan.ownerId, object: plan.object, intake, fileName, source: "upload" };
}

/** The CSV as the body; options in the query. */
async function receiveCsv(req: Request, ctx: FunctionContext, query: Record<string, string>, uploads: Uploads): Promise<Received> {
  const options = optionsFrom(query);
  const ownerId = ownerOf(ctx, options);
  const object = uploadObject(ownerId);
  const { intake } = await receiveBody(req, uploads, object, rowLimits(options), options);
  return { options, ownerId, object, intake, fileName: null, source: "upload" };
}

async function createImport(req: Request, ctx: FunctionContext): Promise<Response> {
  const contentType = (req.headers.get("content-type") ?? "").toLowerCase();
  const query = queryParams(ctx.url);
  const storage = fileStorage();
  // Uploads no job keeps are removed on the caller's connection, queued for removal if Storage fails.
  const uploads: Uploads = { storage, discard: (object) => discardUnusedUpload(storage, ctx.db, object) };
  const receive = contentType.startsWith("application/json") ? receiveReference
    : contentType.startsWith("multipart/form-data") ? receiveForm
    : CSV_TYPES.test(contentType) ? receiveCsv
    : null;
  if (!receive) {
    throw new HttpError(415, "unsupported_media_type", "Send the CSV as text/csv, as multipart/form-data, or a Storage reference as application/json", {
      content_type: contentType || null,
    });
  }
  const { options, ownerId, object, intake, source, ...received } = await receive(req, ctx, query, uploads);
  const discard = () => source === "upload" ? uploads.discard(object) : Promise.resolve();

  const fileName = options.file_name ?? received.fileName ?? "import.csv";
  const { mapping, owner_id: _owner, file_name: _name, ...stored } = options;
  const created = await guard(ctx, req, "write", async () =>
    await ctx.db.queryRaw(
      `select job_id, existing from private.create_import_job($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12)`,
      [ownerId, fileName, intake.size, intake.sha256, `${object.bucket}/${object.path}`, source,
        // The worker sees the first 64 KB of the file; the intake saw all of it and settled the encoding.
        JSON.stringify(mapping ?? {}), JSON.stringify({ ...stored, encoding: intake.encoding }), options.dry_run, intake.rows, options.force,
        // The version of the bytes hashed and counted: a slice that finds another reads another file.
        intake.version],
    ) as { job_id: string; existing: boolean }[]
  ).catch(async (error) => {
    await discard();
    throw error;
  });
  const { job_id, existing } = created[0];
  if (existing) {
    await discard();
    const { job } = await loadJob(ctx.db, job_id);
    return Response.json({ ...job, existing: true }, { status: 200 });
  }
  handOn(job_id, "process");
  const { job } = await loadJob(ctx.db, job_id);
  return Response.json({ ...job, existing: false }, { status: 202, headers: { Location: `/functions/v1/${FN}/${job_id}` } });
}

function rowLimits(options: ImportOptions) {
  const limits = importLimits();
  return {
    maxBytes: Math.min(limits.maxBytes, options.max_bytes ?? limits.maxBytes),
    maxRows: Math.min(limits.maxRows, options.max_rows ?? limits.maxRows),
  };
}

/**
 * The job, when the caller may act on it: the owner's own (RLS keeps the others out of sight);
 * for the service any job, or only the named owner's when it names one (another's is not found).
 */
async function callersJob(req: Request, ctx: FunctionContext, id: string, named: string | undefined): Promise<LoadedJob> {
  if (ctx.caller.kind !== "service") ownerScope(ctx.caller, named);
  const loaded = await guard(ctx, req, "read", () => loadJob(ctx.db, id));
  if (named !== undefined && loaded.ownerId !== named) throw notFound();
  return loaded;
}

const namedOwner = (req: Request) => parseQuery(req, JobQuery).owner_id;

async function progress(req: Request, ctx: FunctionContext, id: string): Promise<Response> {
  const { job, stalled, undoStalled, idle } = await callersJob(req, ctx, id, namedOwner(req));
  // A job whose processor died (or whose hand-off was lost) and that has not moved for a while is
  // picked up again by whoever looks at it; so is an undo stopped between its steps.
  if (stalled && idle) handOn(id, "process");
  if (undoStalled && idle) handOn(id, "undo");
  return Response.json({ ...job, stalled });
}

async function errors(req: Request, ctx: FunctionContext, id: string): Promise<Response> {
  const query = parseQuery(req, ErrorsQuery);
  const { ownerId } = await callersJob(req, ctx, id, query.owner_id);
  if (query.format === "csv") {
    return new Response(errorCsv(id, ownerId), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="import-${id}-errors.csv"`,
      },
    });
  }
  const page = await guard(ctx, req, "read", () => errorPage((text, params) => ctx.db.queryRaw(text, params), id, ownerId, query.after, query.limit));
  return Response.json({ errors: page.errors, next_after: page.next && afterOf(page.next) });
}

/** Undo; once it is done, the job's upload (kept while the job could still be resumed) goes too. */
async function undoJob(req: Request, ctx: FunctionContext, id: string): Promise<Response> {
  const { upload } = await callersJob(req, ctx, id, namedOwner(req));
  const result = await guard(ctx, req, "write", () => undo(ctx.db, id, 10_000));
  if (result.done) await discardUpload(fileStorage(), upload);
  else handOn(id, "undo");
  const { job } = await loadJob(ctx.db, id);
  return Response.json({ ...job, undo: result.summary }, { status: result.done ? 200 : 202 });
}

/**
 * Cancel; a cancelled job is never resumed, so its upload goes at once. Cancelling a cancelled job
 * again answers it as it is and removes an upload still there (the status set directly, or a
 * removal that failed).
 */
async function cancelJob(req: Request, ctx: FunctionContext, id: string): Promise<Response> {
  const { job, upload } = await callersJob(req, ctx, id, namedOwner(req));
  if (job.status !== "cancelled") await guard(ctx, req, "write", () => cancel(ctx.db, id));
  await discardUpload(fileStorage(), upload);
  return Response.json((await loadJob(ctx.db, id)).job);
}

async function resume(req: Request, ctx: FunctionContext, id: string): Promise<Response> {
  const { job, stalled } = await callersJob(req, ctx, id, namedOwner(req));
  // An undone job's upload is gone, and what it imported was taken back.
  if (job.undone_at !== null) throw new HttpError(409, "conflict", "An undone import cannot be resumed");
  if (job.status === "failed") await guard(ctx, req, "write", () => reopen(ctx.db, id));
  else if (job.status !== "pending" && job.status !== "processing") {
    throw new HttpError(409, "conflict", `A ${job.status} import cannot be resumed`);
  }
  if (job.status === "failed" || stalled || job.status === "pending") handOn(id, "process");
  return Response.json((await loadJob(ctx.db, id)).job, { status: 202 });
}

export default { fetch: handler };
