// Scenarios: who searches, through which agent, compared with which reference. Each one names the
// contacts its caller may see (the pool its queries are drawn from) and builds its two runners.
// Later scenarios (a deeper keyset page, calls through the HTTP gateway) add a runner pair here.
import { ALL_CONTACTS_AGENT_ID, BIG_OWNER_ID, SPECIFIC_AGENT_ID } from "./ids.mjs";
import { naiveRunner, projectRunner } from "./runners.mjs";

const ownerClaims = { sub: BIG_OWNER_ID, role: "authenticated" };
const activeContactsOf = (ownerId, restriction = "") =>
  `select c.* from public.contacts c where c.user_id = '${ownerId}' and c.status = 'active' ${restriction}`;

// The contacts of the specific-contacts grant; the ids are the generator's constants.
const grantedToSpecificAgent =
  `and exists (select 1 from public.agent_specific_contact_access s where s.agent_id = '${SPECIFIC_AGENT_ID}' and s.contact_id = c.id)`;

/** How many queries and runs a scenario measures: the command line's, else the scenario's, else these. */
export function samplingOf(scenario, options) {
  const defaults = { perKind: 5, iterations: 20, warmup: 3, ...scenario.sampling };
  return {
    perKind: options.perKind ?? defaults.perKind,
    iterations: options.iterations ?? defaults.iterations,
    warmup: options.warmup ?? defaults.warmup,
  };
}

export const SCENARIOS = {
  owner: {
    title: "The big owner searching through its all-contacts agent",
    describe: ({ bigOwnerContacts }) =>
      `The owner of ${bigOwnerContacts.toLocaleString("en-US")} contacts, with its own token (RLS as \`authenticated\`), ` +
      "calls `search_contacts_for_agent` for its agent with an `all_contacts` read grant. The reference runs the naive " +
      "ILIKE query as the same owner over the same rows.",
    visible: activeContactsOf(BIG_OWNER_ID),
    runners: (database) => [
      projectRunner({ database, agentId: ALL_CONTACTS_AGENT_ID, claims: ownerClaims }),
      naiveRunner({ database, ownerId: BIG_OWNER_ID, claims: ownerClaims }),
    ],
  },
  specific: {
    title: "An agent token with specific-contact grants",
    describe: ({ specificGrants }) =>
      `The owner's second agent, granted ${specificGrants.toLocaleString("en-US")} contacts one by one ` +
      "(`specific_contacts`), searches with its own agent-scoped token (`agent_id` claim). The reference is the " +
      "naive ILIKE query restricted to the granted contacts by a semi-join, run with the owner's token (under the " +
      "agent's token RLS would add a per-row access check, which the reference would then pay on every scanned row).",
    visible: activeContactsOf(BIG_OWNER_ID, grantedToSpecificAgent),
    // Each search takes over a second here (see docs/benchmarks.md); a smaller sample keeps the run
    // to minutes and is plenty to tell seconds from milliseconds.
    sampling: { perKind: 3, iterations: 5, warmup: 1 },
    runners: (database) => [
      projectRunner({ database, agentId: SPECIFIC_AGENT_ID, claims: { ...ownerClaims, agent_id: SPECIFIC_AGENT_ID } }),
      naiveRunner({ database, ownerId: BIG_OWNER_ID, claims: ownerClaims, restriction: grantedToSpecificAgent }),
    ],
  },
};
