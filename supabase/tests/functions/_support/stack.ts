// What every function test needs from the running local stack: its URLs and keys (passed in by
// `npm test`), a superuser connection to arrange data, tokens minted like GoTrue's (and forged
// ones), and supabase-js clients. Each test file creates its own owners and removes them after.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { importJWK, SignJWT } from "jose";
import pg from "pg";

const required = (name: string): string => {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set: run the function tests through npm test`);
  return value;
};

export const stack = {
  url: required("SUPABASE_URL"),
  dbUrl: required("SUPABASE_DB_URL"),
  publishableKey: required("SUPABASE_PUBLISHABLE_KEY"),
  secretKey: required("SUPABASE_SECRET_KEY"),
  anonKey: required("SUPABASE_ANON_KEY"),
  jwtSecret: required("SUPABASE_JWT_SECRET"),
  signingKey: JSON.parse(required("SUPABASE_TEST_SIGNING_KEY")) as JsonWebKey & { kid: string },
};

export const functionUrl = (name: string, path = "") => `${stack.url}/functions/v1/${name}${path}`;

/** Runs SQL as the superuser, for arranging and inspecting data around a test. */
export async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: stack.dbUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * A uuid PostgreSQL takes that is not an RFC 9562 one (version and variant nibbles 0), as rows keyed
 * by other systems carry: `md5(...)::uuid`, imported keys.
 */
export const nonRfcUuid = () => `${crypto.randomUUID().slice(0, 8)}-0000-0000-0000-${crypto.randomUUID().slice(-12)}`;

export interface TokenOptions {
  expiresIn?: number;
  extraClaims?: Record<string, unknown>;
}

/** A user access token as GoTrue issues it: ES256 with the project's signing key and kid. */
export async function userToken(userId: string, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ role: "authenticated", aal: "aal1", ...options.extraClaims })
    .setProtectedHeader({ alg: "ES256", kid: stack.signingKey.kid, typ: "JWT" })
    .setSubject(userId)
    .setAudience("authenticated")
    .setIssuer(`${stack.url}/auth/v1`)
    .setIssuedAt(now - 10)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(await importJWK(stack.signingKey, "ES256"));
}

export interface Owner {
  id: string;
  email: string;
  token: (options?: TokenOptions) => Promise<string>;
  agentToken: (agentId: string) => Promise<string>;
}

/** A fresh owner in auth.users; `removeOwners` deletes it and, by cascade, everything it owns. */
export async function createOwner(label: string): Promise<Owner> {
  const id = crypto.randomUUID();
  const email = `${label}-${id.slice(0, 8)}@functions.test`;
  await sql(
    `insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
     values ($1, 'authenticated', 'authenticated', $2, '{"provider":"email"}', '{}')`,
    [id, email],
  );
  return {
    id,
    email,
    token: (options) => userToken(id, { ...options, extraClaims: { email, ...options?.extraClaims } }),
    agentToken: (agentId) => userToken(id, { extraClaims: { email, agent_id: agentId } }),
  };
}

export async function removeOwners(...owners: Owner[]): Promise<void> {
  await sql(`delete from auth.users where id = any($1::uuid[])`, [owners.map((o) => o.id)]);
}

const clientOptions = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } };

/** supabase-js as a signed-in app uses it: the publishable key plus the user's access token. */
export function userClient(token: string): SupabaseClient {
  return createClient(stack.url, stack.publishableKey, {
    ...clientOptions,
    global: { headers: { Authorization: `Bearer ${token}` } },
  });
}

/** supabase-js as a backend uses it: the secret key. */
export function serviceClient(): SupabaseClient {
  return createClient(stack.url, stack.secretKey, clientOptions);
}

/** Calls a function with raw fetch, for what supabase-js would not send (bad tokens, methods, bodies). */
export async function call(
  name: string,
  init: RequestInit & { token?: string; path?: string } = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  const response = await fetch(functionUrl(name, init.path), { ...init, headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}
