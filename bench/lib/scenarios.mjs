// Scenarios: who searches, through which agent, compared with which reference. Each one names the
// contacts its caller may see (the pool its queries are drawn from) and builds its two runners.
// Some compare the project's search with itself in two situations (another caller, a deep page,
// HTTP, a smaller data set): the ratio then says what the situation costs.
import { ALL_CONTACTS_AGENT_ID, BIG_OWNER_ID, SPECIFIC_AGENT_ID } from "./ids.mjs";
import { DEEP_KIND } from "./kinds.mjs";
import { gatewayRunner, naiveRunner, projectRunner } from "./runners.mjs";

const ownerClaims = { sub: BIG_OWNER_ID, role: "authenticated" };
const specificClaims = { ...ownerClaims, agent_id: SPECIFIC_AGENT_ID };
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
    runners: (database) => [
      projectRunner({ database, agentId: SPECIFIC_AGENT_ID, claims: specificClaims }),
      naiveRunner({ database, ownerId: BIG_OWNER_ID, claims: ownerClaims, restriction: grantedToSpecificAgent }),
    ],
  },
  agents: {
    title: "An agent token with 5,000 specific-contact grants vs the owner",
    describe: ({ specificGrants }) =>
      `The same queries, drawn from the ${specificGrants.toLocaleString("en-US")} contacts granted one by one to the ` +
      "owner's second agent, searched by that agent with its own agent-scoped token (`specific`) and by the owner through " +
      "its all-contacts agent (`owner`). The ratio is what a grant list costs over reading every contact.",
    visible: activeContactsOf(BIG_OWNER_ID, grantedToSpecificAgent),
    explain: false, // the specific scenario shows the agent's plans
    runners: (database) => [
      projectRunner({ database, agentId: SPECIFIC_AGENT_ID, claims: specificClaims, id: "specific", label: "agent token, specific grants" }),
      projectRunner({ database, agentId: ALL_CONTACTS_AGENT_ID, claims: ownerClaims, id: "owner", label: "owner, all-contacts agent" }),
    ],
  },
  deep: {
    title: "Keyset page 500 vs page 1",
    describe: () =>
      "Name prefixes matching more than 10,020 of the owner's contacts, searched as the owner: page 500 (rows 9,981 to " +
      "10,000, after the cursor of page 499, found by paging through the function once before timing) and page 1.",
    visible: activeContactsOf(BIG_OWNER_ID),
    kinds: [DEEP_KIND],
    runners: (database) => [
      projectRunner({ database, agentId: ALL_CONTACTS_AGENT_ID, claims: ownerClaims, id: "page500", label: "page 500", page: 500 }),
      projectRunner({ database, agentId: ALL_CONTACTS_AGENT_ID, claims: ownerClaims, id: "page1", label: "page 1" }),
    ],
  },
  gateway: {
    title: "Through the functions gateway with supabase-js",
    describe: () =>
      "The owner calls `agent-contact-search` with supabase-js `functions.invoke` (its access token, the publishable key) " +
      "through the local functions gateway, which serves the function on this data set (`gateway`), for an all-contacts agent " +
      "of its own (the generator's agent ids are not RFC 4122 UUIDs, which the function's request schema requires); the same queries as " +
      "direct database calls of `search_contacts_for_agent` for the owner's generated all-contacts agent (`database`). The difference is HTTP, JWT verification, the " +
      "function's validation, cursor sealing and its connection.",
    visible: activeContactsOf(BIG_OWNER_ID),
    explain: false, // HTTP has no plan; the owner scenario shows the database's
    runners: (database) => [
      gatewayRunner({ database, userId: BIG_OWNER_ID }),
      projectRunner({ database, agentId: ALL_CONTACTS_AGENT_ID, claims: ownerClaims, id: "database", label: "search_contacts_for_agent" }),
    ],
  },
  scale: {
    title: "This data set vs the baseline data set",
    describe: ({ baseline }) =>
      `The owner's searches on this data set (\`large\`) and on the ${baseline.label} data set of the same generator ` +
      `(\`baseline\`, database \`${baseline.database}\`), in one run, taking turns. Each side draws its queries of each kind ` +
      "the same way from its own data (the same names where the data sets share them).",
    visible: activeContactsOf(BIG_OWNER_ID),
    paired: true,
    explain: false, // the owner scenario shows the plans
    runners: (database, { baseline }) => [
      projectRunner({ database, agentId: ALL_CONTACTS_AGENT_ID, claims: ownerClaims, id: "large", label: "this data set" }),
      projectRunner({ database: baseline.database, agentId: ALL_CONTACTS_AGENT_ID, claims: ownerClaims, id: "baseline", label: "baseline data set" }),
    ],
  },
};
