// JWT verification of the gateway for functions with verify_jwt = true, as the CLI's gateway does
// it: asymmetric signing keys of the JWKS first, the legacy shared secret (HS256) second.
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";

export function createJwtVerifier(jwks: JSONWebKeySet, legacySecret: string): (token: string) => Promise<boolean> {
  const keySet = createLocalJWKSet(jwks);
  const secret = new TextEncoder().encode(legacySecret);
  return async (token) => {
    try {
      await jwtVerify(token, keySet, { algorithms: ["ES256", "RS256"] });
      return true;
    } catch {
      try {
        await jwtVerify(token, secret, { algorithms: ["HS256"] });
        return true;
      } catch {
        return false;
      }
    }
  };
}
