// The generator derives every id from a name, md5(name)::uuid (bench/sql/generate.sql); the same
// derivation here lets the benchmark name its owner and agents without asking the database.
import { createHash } from "node:crypto";

export function benchId(name) {
  const hex = createHash("md5").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const BIG_OWNER_ID = benchId("bench-owner-0");
export const ALL_CONTACTS_AGENT_ID = benchId("bench-agent-0");
export const SPECIFIC_AGENT_ID = benchId("bench-agent-specific");
