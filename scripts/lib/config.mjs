// Where the docker-free local stack lives and how it is reached. Ports follow `supabase start`.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// SUPABASE_LOCAL_DIR lets several stacks (say, parallel checkouts) live side by side on other ports.
export const LOCAL_DIR = path.resolve(process.env.SUPABASE_LOCAL_DIR || path.join(ROOT, ".local"));
export const STATE_FILE = path.join(LOCAL_DIR, "stack.json");
export const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
export const PG_MAJOR = "15";

export const DB_HOST = "127.0.0.1";
export const DB_PORT = Number(process.env.SUPABASE_DB_PORT || 54322);
export const API_PORT = Number(process.env.SUPABASE_API_PORT || 54321);
export const DB_NAME = "postgres";
export const DB_USER = "postgres";
export const DB_PASSWORD = "postgres";

export const dbUrl = (database = DB_NAME) =>
  `postgresql://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:${DB_PORT}/${database}`;
export const API_URL = `http://${DB_HOST}:${API_PORT}`;

export const MIGRATIONS_DIR = path.join(ROOT, "supabase", "migrations");
export const ROLLBACKS_DIR = path.join(ROOT, "supabase", "rollbacks");
export const SEED_FILE = path.join(ROOT, "supabase", "seed.sql");
export const COMPAT_FILE = path.join(ROOT, "scripts", "sql", "supabase_compat.sql");
export const STORAGE_COMPAT_FILE = path.join(ROOT, "scripts", "sql", "supabase_storage_compat.sql");
