#!/usr/bin/env node
// npm run token -- --user <email> [--agent <agent id>] [--expires-in <seconds>]
// Prints an access token for a user of the local stack, as GoTrue would issue it, optionally
// scoped to one of the user's agents (the agent_id claim), for calls with curl or supabase-js.
import { parseOptions } from "./lib/args.mjs";
import { loadKeys, mintUserToken } from "./lib/keys.mjs";
import { runMain } from "./lib/main.mjs";
import { queryValue, StackError } from "./lib/postgres.mjs";

const USAGE = "usage: npm run token -- --user <email> [--agent <agent id>] [--expires-in <seconds>]";
const quote = (text) => `'${text.replaceAll("'", "''")}'`;

async function main() {
  const values = parseOptions(USAGE, { user: { type: "string" }, agent: { type: "string" }, "expires-in": { type: "string", default: "3600" } });
  if (!values.user) throw new StackError(USAGE);
  const expiresIn = Number(values["expires-in"]);
  if (!Number.isInteger(expiresIn) || expiresIn < 1) throw new StackError(`--expires-in takes a whole number of seconds, not ${values["expires-in"]}\n\n${USAGE}`);
  const userId = queryValue(`select id from auth.users where lower(email) = lower(${quote(values.user)})`);
  if (!userId) throw new StackError(`No user with e-mail ${values.user} in the local database (see supabase/seed.sql).`);
  if (values.agent) {
    const owner = queryValue(`select user_id from public.agents where id::text = ${quote(values.agent)}`);
    if (owner !== userId) throw new StackError(`Agent ${values.agent} does not belong to ${values.user}.`);
  }
  const keys = await loadKeys();
  console.log(await mintUserToken(keys, { userId, email: values.user, agentId: values.agent, expiresIn }));
}

runMain(import.meta.url, main);
