// Keys of the local stack, minted once as the supabase CLI mints them and kept in .local/keys.json:
// an ES256 signing key (its JWKS verifies user tokens), sb_publishable_/sb_secret_ API keys, and the
// legacy HS256 JWT secret with anon and service_role JWTs for older clients.
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";
import { API_URL, LOCAL_DIR } from "./config.mjs";

const KEYS_FILE = path.join(LOCAL_DIR, "keys.json");
const TEN_YEARS = 10 * 365 * 24 * 3600;
export const ISSUER = `${API_URL}/auth/v1`;

const token = (bytes) => randomBytes(bytes).toString("base64url");

async function mintKeys() {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = randomUUID();
  const signingKey = { ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig", key_ops: ["verify"] };
  const jwtSecret = token(32);
  const legacy = async (role) =>
    await new SignJWT({ role, iss: "supabase-demo" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + TEN_YEARS)
      .sign(new TextEncoder().encode(jwtSecret));
  return {
    signingKey,
    jwks: { keys: [publicJwk] },
    publishableKey: `sb_publishable_${token(24)}`,
    secretKey: `sb_secret_${token(24)}`,
    jwtSecret,
    anonKey: await legacy("anon"),
    serviceRoleKey: await legacy("service_role"),
  };
}

/** The stack's keys, minted on first use. */
export async function loadKeys() {
  if (fs.existsSync(KEYS_FILE)) return JSON.parse(fs.readFileSync(KEYS_FILE, "utf8"));
  const keys = await mintKeys();
  fs.mkdirSync(LOCAL_DIR, { recursive: true });
  fs.writeFileSync(KEYS_FILE, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

/**
 * A user access token as GoTrue issues it (ES256, with kid). `agentId` adds the `agent_id` claim that
 * scopes the token to one of the user's agents.
 */
export async function mintUserToken(keys, { userId, email, agentId, expiresIn = 3600 }) {
  const claims = { role: "authenticated", email, aal: "aal1", session_id: randomUUID(), is_anonymous: false };
  if (agentId) claims.agent_id = agentId;
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: keys.signingKey.kid, typ: "JWT" })
    .setSubject(userId)
    .setAudience("authenticated")
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
    .sign(await importJWK(keys.signingKey, "ES256"));
}
