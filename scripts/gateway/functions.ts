// Which functions the gateway serves and how, read as the supabase CLI reads them: every folder of
// supabase/functions with an index.ts and a valid name, plus every [functions.<name>] block of
// config.toml; `enabled = false` skips one; `entrypoint` and `import_map` are relative to
// supabase/; without `import_map`, a deno.json(c) beside the entrypoint, else the shared one.
// Function settings (secrets, IMPORT_* knobs) come from supabase/functions/.env, as `supabase
// functions serve` reads them.
import { dirname, join, resolve } from "@std/path/mod.js";
import { parse as parseToml } from "@std/toml/mod.js";
import { z } from "zod";

/** The names the supabase CLI accepts for functions (its FuncSlugPattern). */
const FUNCTION_SLUG = /^[A-Za-z][A-Za-z0-9_-]*$/;

const FunctionSettings = z.object({
  enabled: z.boolean().default(true),
  verify_jwt: z.boolean().default(true),
  entrypoint: z.string().min(1).optional(),
  import_map: z.string().min(1).optional(),
});

const ConfigToml = z.object({
  functions: z.record(z.string().regex(FUNCTION_SLUG, "is not a valid function name"), FunctionSettings).default({}),
});

export interface FunctionSpec {
  name: string;
  enabled: boolean;
  verifyJwt: boolean;
  entrypoint: string;
  importMap?: string;
}

const IMPORT_MAP_NAMES = ["deno.json", "deno.jsonc", "import_map.json"];

const isFile = (path: string) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
};

function readSettings(supabaseDir: string) {
  const parsed = ConfigToml.safeParse(parseToml(Deno.readTextFileSync(join(supabaseDir, "config.toml"))));
  if (!parsed.success) throw new Error(`supabase/config.toml: ${z.prettifyError(parsed.error)}`);
  return parsed.data.functions;
}

function folderFunctions(functionsDir: string): string[] {
  return [...Deno.readDirSync(functionsDir)]
    .filter((entry) => entry.isDirectory && FUNCTION_SLUG.test(entry.name) && isFile(join(functionsDir, entry.name, "index.ts")))
    .map((entry) => entry.name);
}

function findImportMap(...dirs: string[]): string | undefined {
  return dirs.flatMap((dir) => IMPORT_MAP_NAMES.map((name) => join(dir, name))).find(isFile);
}

/** Every function of the project under `root`, enabled or not, by name. */
export function readFunctions(root: string): FunctionSpec[] {
  const supabaseDir = resolve(root, "supabase");
  const functionsDir = join(supabaseDir, "functions");
  const settings = readSettings(supabaseDir);
  const names = [...new Set([...folderFunctions(functionsDir), ...Object.keys(settings)])].sort();
  return names.map((name) => {
    const { enabled, verify_jwt, entrypoint, import_map } = settings[name] ?? FunctionSettings.parse({});
    const entry = entrypoint ? resolve(supabaseDir, entrypoint) : join(functionsDir, name, "index.ts");
    return {
      name,
      enabled,
      verifyJwt: verify_jwt,
      entrypoint: entry,
      importMap: import_map ? resolve(supabaseDir, import_map) : findImportMap(dirname(entry), functionsDir),
    };
  });
}

/** supabase/functions/.env, where the CLI reads the functions' own variables from, if it exists. */
export function functionsEnvFile(root: string): string | undefined {
  const envFile = join(resolve(root, "supabase"), "functions", ".env");
  return isFile(envFile) ? envFile : undefined;
}
