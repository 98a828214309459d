// Database failures as HTTP answers (STYLE.md 3.8). Statuses follow the SQLSTATE; the message is
// ours unless the error was raised by this project's own SQL with text written for callers.
import { HttpError, type RequestContext } from "./http.ts";

interface DatabaseError {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
  table?: string;
}

const isDatabaseError = (error: unknown): error is DatabaseError =>
  typeof error === "object" && error !== null && typeof (error as DatabaseError).code === "string" &&
  /^[0-9A-Z]{5}$/.test((error as DatabaseError).code!);

// SQLSTATEs our functions raise with messages meant for callers ('agent not found', 'query must be
// 1 to 200 characters', 'contact is under legal hold ...'): these messages may be passed on.
const CURATED = new Set(["22023", "P0002", "55000"]);

export type Operation = "read" | "write" | "delete";

export function databaseErrorToHttp(error: unknown, operation: Operation, context: RequestContext): unknown {
  if (!isDatabaseError(error)) return error;
  const { code = "", message = "" } = error;
  const curated = CURATED.has(code) ? message : null;
  console.error(JSON.stringify({
    level: "error",
    fn: context.fn,
    operation,
    sqlstate: code,
    constraint: error.constraint,
    table: error.table,
    message,
  }));
  switch (code) {
    case "P0002":
      return new HttpError(404, "not_found", curated ?? "Not found", null, { cause: error });
    case "23505":
      return new HttpError(409, "conflict", "A record with the same unique values already exists", null, { cause: error });
    case "23503":
      return operation === "delete"
        ? new HttpError(409, "conflict", "Other records still refer to this one", null, { cause: error })
        : new HttpError(404, "not_found", "A referenced record does not exist or is not yours", null, { cause: error });
    case "55000":
      return new HttpError(409, "conflict", curated ?? "The record is not in a state that allows this", null, { cause: error });
    case "23502":
    case "23514":
    case "22P02":
    case "22001":
    case "22021":
    case "22P05":
    case "22023":
      return new HttpError(422, "validation_failed", curated ?? "The input breaks a rule of the data model", null, { cause: error });
    case "42501":
      return new HttpError(403, "forbidden", "You are not allowed to do this", null, { cause: error });
    case "57014":
    case "40001":
    case "40P01":
    case "55P03":
      return new HttpError(503, "service_unavailable", "The database is busy; retry shortly", null, {
        cause: error,
        headers: { "Retry-After": "1" },
      });
    default:
      return new HttpError(500, "internal_error", "Internal Server Error", null, { cause: error });
  }
}

/** Runs database work for a request, answering its failures as HTTP errors (logged with context). */
export async function guardDatabase<T>(operation: Operation, context: RequestContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw databaseErrorToHttp(error, operation, context);
  }
}
