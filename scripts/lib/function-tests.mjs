// Runs the Deno tests of the Edge Functions (supabase/tests/functions) against the running local
// stack: the gateway is started if needed, and the tests get the stack's URLs and keys.
import path from "node:path";
import { API_URL, dbUrl, ROOT } from "./config.mjs";
import { DENO_CONFIG, denoEnv, denoPath } from "./deno.mjs";
import { LOCAL_STORAGE_DIR, startGateway, stopGateway } from "./gateway.mjs";
import { loadKeys } from "./keys.mjs";

export async function runFunctionTests(runTap) {
  const keys = await loadKeys();
  // A fresh gateway: it discovers the functions and loads their code when it starts.
  stopGateway();
  await startGateway(keys);
  return await runTap(
    "Deno: supabase/tests/functions",
    denoPath(),
    [
      "test",
      `--config=${DENO_CONFIG}`,
      "--allow-all",
      "--reporter=tap",
      path.join(ROOT, "supabase", "tests", "functions"),
    ],
    {
      env: {
        ...denoEnv(),
        SUPABASE_URL: API_URL,
        SUPABASE_DB_URL: dbUrl(),
        SUPABASE_PUBLISHABLE_KEY: keys.publishableKey,
        SUPABASE_SECRET_KEY: keys.secretKey,
        SUPABASE_ANON_KEY: keys.anonKey,
        SUPABASE_JWT_SECRET: keys.jwtSecret,
        SUPABASE_TEST_SIGNING_KEY: JSON.stringify(keys.signingKey),
        SUPABASE_LOCAL_STORAGE_DIR: LOCAL_STORAGE_DIR,
        SUPABASE_JWKS: JSON.stringify(keys.jwks),
      },
    },
  );
}
