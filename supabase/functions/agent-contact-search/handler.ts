// POST /functions/v1/agent-contact-search: contacts an agent may see, best match first.
// Callers: the agent's owner, an agent-scoped token of that agent, or the service (secret key).
import { createHandler } from "../_shared/auth.ts";
import { guardDatabase } from "../_shared/db.ts";
import { AgentSearchRequest, NoQuery, parseQuery } from "../_shared/schemas.ts";
import { searchContacts } from "./search.ts";

export const handler = createHandler(
  { name: "agent-contact-search", methods: ["POST"], auth: ["user", "secret"], maxBodyBytes: 16 * 1024 },
  async (req, ctx) => {
    parseQuery(req, NoQuery);
    const input = await ctx.json(AgentSearchRequest);
    return Response.json(await guardDatabase("read", { fn: ctx.fn, req }, () => searchContacts(ctx.db, ctx.caller, input)));
  },
);

export default { fetch: handler };
