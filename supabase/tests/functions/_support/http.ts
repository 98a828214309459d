// Assertions every function test shares: the error shape, CORS on every answer, and the attacks
// every function must refuse (missing, malformed, expired, forged and alg:none tokens).
import { assert, assertEquals, assertMatch } from "@std/assert/mod.js";
import { encodeBase64Url } from "@std/encoding/base64url.js";
import { importJWK, SignJWT } from "jose";
import { call, stack } from "./stack.ts";

/** An error answer: the status, exactly `{ code, message, details }`, CORS, and no SQL text. */
export function assertError(
  response: { status: number; headers: Headers; body: unknown },
  status: number,
  code?: string,
): void {
  assertEquals(response.status, status, `expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  const body = response.body as Record<string, unknown>;
  assertEquals(Object.keys(body).sort(), ["code", "details", "message"], JSON.stringify(body));
  if (code) assertEquals(body.code, code);
  assertEquals(response.headers.get("access-control-allow-origin"), "*", "CORS header on an error answer");
  const text = JSON.stringify(body);
  // SQL text or a database error: keywords in statement position, or the words Postgres errors use
  // (a method name such as DELETE, or an option value such as "update", is not SQL).
  assert(
    !/\b(violates|constraint|relation|sqlstate|public\.)\b|\b(select|insert|update|delete)\s+(\*|from|into|set|public|[a-z_]+\.)/i.test(text),
    `SQL leaked: ${text}`,
  );
}

export function assertCors(headers: Headers): void {
  assertEquals(headers.get("access-control-allow-origin"), "*");
}

const b64 = (value: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));

/** Tokens an attacker might send, each of which must be refused with 401 before any SQL runs. */
export async function forgedTokens(userId: string): Promise<Record<string, string>> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: userId, role: "authenticated", aud: "authenticated", iat: now, exp: now + 3600 };
  const { privateKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const otherKey = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: stack.signingKey.kid }).sign(privateKey);
  const expired = await new SignJWT({ ...claims, iat: now - 7200, exp: now - 3600 })
    .setProtectedHeader({ alg: "ES256", kid: stack.signingKey.kid })
    .sign(await importJWK(stack.signingKey, "ES256"));
  const legacyHs256 = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(stack.jwtSecret));
  // Signed with the project key, as a custom access-token hook or another issuer could have them
  // signed: still no signed-in user of auth.users.
  const projectSigned = async (extra: Record<string, unknown>) =>
    await new SignJWT({ ...claims, ...extra })
      .setProtectedHeader({ alg: "ES256", kid: stack.signingKey.kid })
      .sign(await importJWK(stack.signingKey, "ES256"));
  return {
    "malformed": "not-a-jwt",
    "alg none": `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`,
    "signed with another key": otherKey,
    "expired": expired,
    "HS256 with the legacy secret (not a user token of the JWKS)": legacyHs256,
    "role service_role in a user token": await projectSigned({ role: "service_role" }),
    "a custom role": await projectSigned({ role: "crm_admin" }),
    "a sub that is not a uuid (another issuer's user id)": await projectSigned({ sub: "user_2abcClerk" }),
  };
}

/** The checks every function answers the same way: preflight, no token, forged tokens, wrong method. */
export async function assertGuarded(
  name: string,
  options: { method: string; wrongMethod: string; body?: string; path?: string; userId: string; beforeSql?: () => Promise<number> },
): Promise<void> {
  const preflight = await fetch(`${stack.url}/functions/v1/${name}${options.path ?? ""}`, {
    method: "OPTIONS",
    headers: { Origin: "https://app.example", "Access-Control-Request-Method": options.method },
  });
  await preflight.body?.cancel();
  assertEquals(preflight.status, 204, "preflight answered");
  assertCors(preflight.headers);
  assertMatch(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/);

  const before = await options.beforeSql?.();
  const anonymous = await call(name, { method: options.method, body: options.body, path: options.path });
  assertError(anonymous, 401);
  // The library's diagnostics (accepted modes, headers seen, configured key names) stay server-side.
  assertEquals((anonymous.body as { details: unknown }).details, null, "no diagnostics in a refusal");
  for (const [label, token] of Object.entries(await forgedTokens(options.userId))) {
    const response = await call(name, { method: options.method, body: options.body, path: options.path, token });
    assertEquals(response.status, 401, `${label} token: ${JSON.stringify(response.body)}`);
    assertError(response, 401);
    assertEquals((response.body as { details: unknown }).details, null, `${label} token: no diagnostics`);
  }
  if (options.beforeSql) assertEquals(await options.beforeSql(), before, "no SQL ran for refused tokens");

  const wrong = await call(name, { method: options.wrongMethod, path: options.path });
  assertError(wrong, 405, "method_not_allowed");
  assertMatch(wrong.headers.get("allow") ?? "", new RegExp(options.method));
}
