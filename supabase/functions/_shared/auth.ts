// The one way every function is put together: CORS first (so every answer carries it, errors
// included), then the method check, then @supabase/server's auth gate and Postgres connections.
// Users (and agent-scoped user tokens) get `db` = the RLS-scoped connection; only service callers
// (the secret key) get the admin connection, and their SQL scopes itself by owner.
import "pg";
import { withCors } from "@supabase/middleware/cors";
import { type AuthConfig, type SupabaseContext, withSupabase } from "@supabase/server";
import { withPostgresAdminClient } from "@supabase/server/middleware/postgres-admin";
import { type PostgresApi, withPostgresClient } from "@supabase/server/middleware/postgres";
import { corsHeaders } from "@supabase/supabase-js/cors";
import { z } from "zod";
import { assertDeclaredSize, assertMethod, errorResponse, HttpError, normalizeLibraryError } from "./http.ts";
import { type JsonBodyOptions, OwnerId, parseJson, RowId } from "./schemas.ts";

/** Who is calling: the owner, one of the owner's agents (agent-scoped token), or the service. */
export type Caller =
  | { kind: "owner"; userId: string; agentId: null }
  | { kind: "agent"; userId: string; agentId: string }
  | { kind: "service"; userId: null; agentId: null };

export interface FunctionContext {
  caller: Caller;
  /** Queries for this caller: RLS-scoped for users and agents, admin only for the service. */
  db: PostgresApi;
  url: URL;
  fn: string;
  /** The JSON body through the schema, within the function's body limit (maxBodyBytes). */
  json<S extends z.ZodType>(schema: S, options?: JsonBodyOptions): Promise<z.output<S>>;
}

export interface FunctionOptions {
  name: string;
  methods: readonly string[];
  /** Who may call: "user" (owner and agent tokens), "secret" (the service), or both. */
  auth: AuthConfig;
  /** Largest body accepted, from Content-Length, before anything reads it. */
  maxBodyBytes?: number;
}

const agentClaim = RowId;

/**
 * The caller from the verified context. A user token must name a user of auth.users (a uuid `sub`;
 * another issuer's subject, say `user_2abc`, is not one) with the `authenticated` role: any other
 * role (service_role, a custom one) is no signed-in user either. An `agent_id` claim that is
 * present but not a uuid makes the token unusable: it must never fall back to the owner's full access.
 */
export function callerOf(ctx: Pick<SupabaseContext, "authMode" | "jwtClaims">): Caller {
  if (ctx.authMode === "secret") return { kind: "service", userId: null, agentId: null };
  const claims = ctx.jwtClaims as Record<string, unknown> | null;
  const subject = OwnerId.safeParse(claims?.sub);
  if (!subject.success || claims?.role !== "authenticated") {
    throw new HttpError(401, "invalid_token", "The token does not identify a signed-in user");
  }
  const userId = subject.data;
  if (claims.agent_id === undefined) return { kind: "owner", userId, agentId: null };
  const agentId = agentClaim.safeParse(claims.agent_id);
  if (!agentId.success) throw new HttpError(401, "invalid_token", "The token's agent_id claim is not a uuid");
  return { kind: "agent", userId, agentId: agentId.data };
}

/** Data subject requests and other owner-only actions refuse agent-scoped tokens. */
export function forbidAgentTokens(caller: Caller, action: string): void {
  if (caller.kind === "agent") throw new HttpError(403, "forbidden", `Agent tokens cannot ${action}`);
}

const cors = {
  origin: "*",
  methods: corsHeaders["Access-Control-Allow-Methods"].split(", "),
  allowedHeaders: corsHeaders["Access-Control-Allow-Headers"].split(", "),
  exposedHeaders: ["x-supabase-server-error", "retry-after"],
  maxAge: 600,
};

export function createHandler(
  options: FunctionOptions,
  handler: (req: Request, ctx: FunctionContext) => Promise<Response>,
): (req: Request) => Promise<Response> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  // Failures the library answers itself keep its codes (documented by Supabase) but not its
  // diagnostics: the names of configured keys and the headers that arrived are no caller's business.
  const errors = { detailed: false };
  const authenticated = withSupabase(
    { auth: options.auth, cors: "disabled", errors },
    withPostgresClient(
      { errors },
      withPostgresAdminClient({ errors }, async (req, ctx) => {
        const caller = callerOf(ctx);
        const db = caller.kind === "service" ? ctx.postgresAdmin : ctx.postgres;
        const json = <S extends z.ZodType>(schema: S, options?: JsonBodyOptions) => parseJson(req, schema, maxBodyBytes, options);
        return await handler(req, { caller, db, url: new URL(req.url), fn: options.name, json });
      }),
    ),
  );

  const guarded = async (req: Request): Promise<Response> => {
    try {
      assertMethod(req, options.methods);
      assertDeclaredSize(req, maxBodyBytes);
      return await normalizeLibraryError(await authenticated(req));
    } catch (error) {
      return errorResponse(error, { fn: options.name, req });
    }
  };
  return withCors(cors, guarded) as (req: Request) => Promise<Response>;
}
