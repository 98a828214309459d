// The gateway's verify_jwt check, without a server: which tokens pass and which do not.
import { assertEquals } from "@std/assert/mod.js";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createJwtVerifier } from "../../../scripts/gateway/jwt.ts";

const claims = { sub: crypto.randomUUID(), role: "authenticated" };
const sign = (alg: string, key: CryptoKey | Uint8Array, kid?: string, expiresIn = "1h") =>
  new SignJWT(claims).setProtectedHeader({ alg, kid }).setIssuedAt().setExpirationTime(expiresIn).sign(key);

Deno.test("gateway JWT verification is hybrid: JWKS first, the legacy secret second", async (t) => {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const other = await generateKeyPair("ES256");
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" }] };
  const secret = "legacy-secret-of-at-least-thirty-two-characters";
  const verify = createJwtVerifier(jwks, secret);

  await t.step("an ES256 token signed with the project key passes", async () => {
    assertEquals(await verify(await sign("ES256", privateKey, "k1")), true);
  });
  await t.step("a legacy HS256 token signed with the JWT secret passes", async () => {
    assertEquals(await verify(await sign("HS256", new TextEncoder().encode(secret))), true);
  });
  await t.step("a token signed with another key fails", async () => {
    assertEquals(await verify(await sign("ES256", other.privateKey, "k1")), false);
  });
  await t.step("an HS256 token signed with another secret fails", async () => {
    assertEquals(await verify(await sign("HS256", new TextEncoder().encode("x".repeat(40)))), false);
  });
  await t.step("an expired token fails", async () => {
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 3600).sign(privateKey);
    assertEquals(await verify(expired), false);
  });
  await t.step("alg none and garbage fail", async () => {
    const none = `${btoa(JSON.stringify({ alg: "none" }))}.${btoa(JSON.stringify(claims))}.`;
    assertEquals(await verify(none), false);
    assertEquals(await verify("garbage"), false);
  });
});
