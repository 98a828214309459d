// The upload pass of import-contacts on one file, read from disk: what POST /import-contacts does
// to a body before the job exists (hash, size, encoding, record count). Prints its CPU and wall
// time as JSON. Run by `npm run bench -- --intake`.
import process from "node:process";
import { importLimits, scanFile } from "../supabase/functions/import-contacts/intake.ts";

const [file] = Deno.args;
const started = performance.now();
const cpuStart = process.cpuUsage();
const intake = await scanFile((await Deno.open(file)).readable, importLimits(), {});
const cpu = process.cpuUsage(cpuStart);
console.log(JSON.stringify({
  cpuMs: (cpu.user + cpu.system) / 1000,
  wallMs: performance.now() - started,
  rows: intake.rows,
  bytes: intake.size,
  sha256: intake.sha256,
}));
