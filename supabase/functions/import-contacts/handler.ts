// import-contacts: CSV files into contacts, as jobs that report progress, keep an error report,
// resume after a crash and can be undone.
//   POST   /import-contacts                 the file (text/csv body, multipart field `file`, or JSON
//                                           { storage: { bucket, path }, ...options }): 202 + job
//   GET    /import-contacts/<id>            progress
//   GET    /import-contacts/<id>/errors     the error report (?format=json|csv)
//   DELETE /import-contacts/<id>            undo (also POST .../<id>/undo)
//   POST   /import-contacts/<id>/resume     continue a failed or interrupted job
//   POST   /import-contacts/<id>/cancel     stop a pending or running job
//   POST   /import-contacts/<id>/process    one bounded slice of work (the service only: the
//                                           function hands work on to itself with its secret key)
// Callers: the owner, or the service (secret key) naming the owner (owner_id). Agent tokens: 403.
import { createHandler, type FunctionContext, forbidAgentTokens } from "../_shared/auth.ts";
import { guardDatabase } from "../_shared/db.ts";
import { assertMethod, HttpError } from "../_shared/http.ts";
import { ownerScope } from "../_shared/data-subjects.ts";
import { parseJson, parseQuery, parseWith, validationFailed } from "../_shared/schemas.ts";
import { ErrorsQuery, ImportOptions, JobPath, StorageImportRequest } from "../_shared/schemas/import.ts";
import { fileStorage, type StoredObject } from "../_shared/storage.ts";
import { importLimits, ownedObject, receiveBody, receiveMultipart, scanFile, type Upload } from "./intake.ts";
import { cancel, errorCsv, errorPage, handOn, loadJob, notFound, reopen, undo } from "./jobs.ts";
import { runSlice } from "./process.ts";

const FN = "import-contacts";
const UPLOAD_BUCKET = "imports";
const MULTIPART_OVERHEAD = 256 * 1024;

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
        await guard(ctx, req, "write", async () => {
          await loadJob(ctx.db, id);
          await cancel(ctx.db, id);
        });
        return Response.json((await loadJob(ctx.db, id)).job);
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

async function createImport(req: Request, ctx: FunctionContext): Promise<Response> {
  const contentType = (req.headers.get("content-type") ?? "").toLowerCase();
  const query = Object.fromEntries(ctx.url.searchParams);
  const storage = fileStorage();
  const limits = importLimits();
  let options: ImportOptions;
  let object: StoredObject;
  let upload: Upload;
  let source: "upload" | "storage";
  let ownerId: string;

  if (contentType.startsWith("application/json")) {
    const { storage: reference, ...rest } = await parseJson(req, StorageImportRequest);
    options = optionsFrom({ ...query, ...rest });
    ownerId = ownerScope(ctx.caller, options.owner_id) ?? ctx.caller.userId!;
    object = ownedObject(reference, ownerId);
    const stream = await storage.read(object, 0);
    if (!stream) throw new HttpError(404, "not_found", "No such file in Storage, or it is not yours");
    const intake = await scanFile(stream, rowLimits(limits, options), options);
    upload = { intake, fileName: object.path.split("/").pop() ?? null, fields: {} };
    source = "storage";
  } else if (contentType.startsWith("multipart/form-data")) {
    // Options may come as form fields (before the file part) or in the query string.
    let plan: { options: ImportOptions; owner: string; object: StoredObject } | null = null;
    upload = await receiveMultipart(req, storage, limits.maxBytes + MULTIPART_OVERHEAD, (fields) => {
      const parsed = optionsFrom({ ...query, ...fields });
      const owner = ownerScope(ctx.caller, parsed.owner_id) ?? ctx.caller.userId!;
      plan = { options: parsed, owner, object: { bucket: UPLOAD_BUCKET, path: `${owner}/${crypto.randomUUID()}.csv` } };
      return { object: plan.object, limits: rowLimits(limits, parsed), format: parsed };
    }).catch(async (error) => {
      if (plan) await storage.remove(plan.object).catch(() => {});
      throw error;
    });
    const settled = plan as unknown as { options: ImportOptions; owner: string; object: StoredObject };
    options = settled.options;
    ownerId = settled.owner;
    object = settled.object;
    source = "upload";
  } else if (/^(text\/(csv|plain|tab-separated-values)|application\/(octet-stream|csv|vnd\.ms-excel))\b/.test(contentType)) {
    options = optionsFrom(query);
    ownerId = ownerScope(ctx.caller, options.owner_id) ?? ctx.caller.userId!;
    object = { bucket: UPLOAD_BUCKET, path: `${ownerId}/${crypto.randomUUID()}.csv` };
    upload = await receiveBody(req, storage, object, rowLimits(limits, options), options).catch(async (error) => {
      await storage.remove(object).catch(() => {});
      throw error;
    });
    source = "upload";
  } else {
    throw new HttpError(415, "unsupported_media_type", "Send the CSV as text/csv, as multipart/form-data, or a Storage reference as application/json", {
      content_type: contentType || null,
    });
  }

  const fileName = options.file_name ?? upload.fileName ?? "import.csv";
  const { mapping, owner_id: _owner, file_name: _name, ...stored } = options;
  const created = await guard(ctx, req, "write", async () =>
    await ctx.db.queryRaw(
      `select job_id, existing from private.create_import_job($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11)`,
      [ownerId, fileName, upload.intake.size, upload.intake.sha256, `${object.bucket}/${object.path}`, source,
        JSON.stringify(mapping ?? {}), JSON.stringify(stored), options.dry_run, upload.intake.rows, options.force],
    ) as { job_id: string; existing: boolean }[]
  ).catch(async (error) => {
    if (source === "upload") await storage.remove(object).catch(() => {});
    throw error;
  });
  const { job_id, existing } = created[0];
  if (existing) {
    if (source === "upload") await storage.remove(object);
    const { job } = await loadJob(ctx.db, job_id);
    return Response.json({ ...job, existing: true }, { status: 200 });
  }
  handOn(job_id, "process");
  const { job } = await loadJob(ctx.db, job_id);
  return Response.json({ ...job, existing: false }, { status: 202, headers: { Location: `/functions/v1/${FN}/${job_id}` } });
}

function rowLimits(limits: ReturnType<typeof importLimits>, options: ImportOptions) {
  return {
    maxBytes: Math.min(limits.maxBytes, options.max_bytes ?? limits.maxBytes),
    maxRows: Math.min(limits.maxRows, options.max_rows ?? limits.maxRows),
  };
}

async function progress(req: Request, ctx: FunctionContext, id: string): Promise<Response> {
  const { job, stalled, idle } = await guard(ctx, req, "read", () => loadJob(ctx.db, id));
  // A job whose processor died (or whose hand-off was lost) and that has not moved for a while is
  // picked up again by whoever looks at it.
  if (stalled && idle) handOn(id, "process");
  return Response.json({ ...job, stalled });
}

async function errors(req: Request, ctx: FunctionContext, id: string): Promise<Response> {
  const query = parseQuery(req, ErrorsQuery);
  const { ownerId } = await guard(ctx, req, "read", () => loadJob(ctx.db, id));
  if (query.format === "csv") {
    return new Response(errorCsv(id, ownerId), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="import-${id}-errors.csv"`,
      },
    });
  }
  return Response.json(await guard(ctx, req, "read", () => errorPage(ctx.db, id, query.after, query.limit)));
}

async function undoJob(req: Request, ctx: FunctionContext, id: string): Promise<Response> {
  await guard(ctx, req, "read", () => loadJob(ctx.db, id));
  const result = await guard(ctx, req, "write", () => undo(ctx.db, id, 10_000));
  if (!result.done) handOn(id, "undo");
  const { job } = await loadJob(ctx.db, id);
  return Response.json({ ...job, undo: result.summary }, { status: result.done ? 200 : 202 });
}

async function resume(req: Request, ctx: FunctionContext, id: string): Promise<Response> {
  const { job, stalled } = await guard(ctx, req, "read", () => loadJob(ctx.db, id));
  if (job.status === "failed") await guard(ctx, req, "write", () => reopen(ctx.db, id));
  else if (job.status !== "pending" && job.status !== "processing") {
    throw new HttpError(409, "conflict", `A ${job.status} import cannot be resumed`);
  }
  if (job.status === "failed" || stalled || job.status === "pending") handOn(id, "process");
  return Response.json((await loadJob(ctx.db, id)).job, { status: 202 });
}

export default { fetch: handler };
