// Each function is deployed with its own deno.json (Supabase's recommended layout), so each must
// resolve its whole module graph, _shared/ included, on its own, and at the versions the rest of
// the project (the root deno.json of the gateway and tests, package.json) is tested with.
import { assert, assertEquals } from "@std/assert/mod.js";
import { join } from "@std/path/mod.js";
import { z } from "zod";
import { readFunctions } from "../../../scripts/gateway/functions.ts";
import { repoRoot } from "./_support/gateway-process.ts";

const DenoConfig = z.object({ imports: z.record(z.string(), z.string()) });
const ModuleGraph = z.object({
  modules: z.array(z.object({
    specifier: z.string(),
    error: z.string().optional(),
    dependencies: z.array(z.object({
      specifier: z.string(),
      code: z.object({ error: z.string().optional() }).optional(),
      type: z.object({ error: z.string().optional() }).optional(),
    })).optional(),
  })),
  npmPackages: z.record(z.string(), z.unknown()),
});

const readConfig = (path: string) => DenoConfig.parse(JSON.parse(Deno.readTextFileSync(path))).imports;
const rootImports = readConfig(join(repoRoot, "deno.json"));

/** "npm:@supabase/server@1.8.1" or "npm:/pg@8.23.1/" -> ["@supabase/server", "1.8.1"]. */
function pinOf(target: string): [string, string] {
  const match = target.match(/^npm:\/?((?:@[^/@]+\/)?[^/@]+)@([^/]+)\/?$/);
  if (!match) throw new Error(`${target} is not an npm: specifier with an exact version`);
  return [match[1], match[2]];
}
const rootVersions = new Map(Object.values(rootImports).map(pinOf));

async function moduleGraph(config: string, entrypoint: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `--config=${config}`, entrypoint],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(output.success, new TextDecoder().decode(output.stderr));
  return ModuleGraph.parse(JSON.parse(new TextDecoder().decode(output.stdout)));
}

const functions = readFunctions(repoRoot).filter((spec) => spec.enabled);

Deno.test("function dependencies: every function of config.toml has its own deno.json", () => {
  assertEquals(functions.length, 6);
  for (const { name, importMap } of functions) {
    assertEquals(importMap, join(repoRoot, "supabase", "functions", name, "deno.json"), name);
  }
});

for (const { name, entrypoint, importMap } of functions) {
  Deno.test(`function dependencies: ${name} resolves its graph with its deno.json, at the project's versions`, async () => {
    const imports = readConfig(importMap!);
    for (const [key, target] of Object.entries(imports)) {
      assertEquals(target, rootImports[key], `${key} is pinned as the root deno.json pins it`);
    }
    // @supabase/server loads its peers from the function's map; unmapped, they would float.
    for (const peer of ["pg", "@supabase/supabase-js"]) assert(peer in imports, `${peer}, a peer of @supabase/server, is mapped`);

    const graph = await moduleGraph(importMap!, entrypoint);
    const unresolved = graph.modules.flatMap((module) => [
      ...(module.error ? [`${module.specifier}: ${module.error}`] : []),
      ...(module.dependencies ?? []).flatMap((dependency) =>
        [dependency.code?.error, dependency.type?.error].filter(Boolean).map((error) => `${module.specifier}: ${error}`)
      ),
    ]);
    assertEquals(unresolved, [], "every import resolves");

    const used = graph.modules.flatMap((module) => module.dependencies ?? []).map((dependency) => dependency.specifier);
    const unused = Object.keys(imports).filter((key) =>
      !["pg", "@supabase/supabase-js"].includes(key) &&
      !used.some((specifier) => key.endsWith("/") ? specifier.startsWith(key) : specifier === key)
    );
    assertEquals(unused, [], "every entry is imported by the function's code");

    for (const id of Object.keys(graph.npmPackages)) {
      const [, packageName, version] = id.match(/^((?:@[^/@]+\/)?[^/@]+)@([^_]+)/)!;
      if (rootVersions.has(packageName)) assertEquals(version, rootVersions.get(packageName), `${packageName} resolves at the pinned version`);
    }
  });
}

Deno.test("function dependencies: package.json pins the packages it shares with Deno at the same versions", () => {
  const { devDependencies } = z.object({ devDependencies: z.record(z.string(), z.string()) })
    .parse(JSON.parse(Deno.readTextFileSync(join(repoRoot, "package.json"))));
  const shared = Object.keys(devDependencies).filter((name) => rootVersions.has(name));
  assert(shared.length >= 3, "jose, pg and supabase-js are used from Node and Deno alike");
  for (const name of shared) assertEquals(devDependencies[name], rootVersions.get(name), name);
});
