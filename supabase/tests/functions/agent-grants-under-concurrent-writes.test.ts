// An agent cannot widen its own grants with two writes in flight at once, on the real database with
// two agent sessions (20251019000008, 20251020000003): a smart group needs a tag and a Telegram
// channel; one session adds the tag, the other the channel. Each write alone leaves the contact
// outside the group, so each was allowed when judged against a snapshot without the other; the
// second is now judged once the first has committed, and refused.
import { assertEquals, assertRejects } from "@std/assert/mod.js";
import pg from "pg";
import { claimsSession, untilWaitingForALock } from "./_support/sessions.ts";
import { createOwner, removeOwners, sql, stack } from "./_support/stack.ts";

interface World {
  ownerId: string;
  agentId: string;
  contactId: string;
}

async function arrange(ownerId: string, label: string): Promise<World> {
  const [{ id: contactId }] = await sql<{ id: string }>(
    `insert into public.contacts (user_id, first_name) values ($1, 'Raced') returning id`, [ownerId]);
  const [{ id: groupId }] = await sql<{ id: string }>(
    `insert into public.contact_groups (user_id, name, group_type, criteria) values ($1, 'VIPs on Telegram, ' || $2, 'smart',
       '{"match": "all", "rules": [{"field": "tags", "op": "contains", "value": "vip"}, {"field": "channel_type", "op": "has", "value": "telegram"}]}')
     returning id`, [ownerId, label]);
  const [{ id: agentId }] = await sql<{ id: string }>(`insert into public.agents (user_id, name) values ($1, 'racer, ' || $2) returning id`, [ownerId, label]);
  const [{ id: grantId }] = await sql<{ id: string }>(
    `insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level, allowed_channel_types)
     values ($1, $2, 'specific_contacts', 'write', '{email,telegram}') returning id`, [ownerId, agentId]);
  await sql(`insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values ($1, $2, $3, $4)`,
    [ownerId, grantId, agentId, contactId]);
  await sql(`insert into public.agent_contact_permissions (user_id, agent_id, permission_type, group_id, permission_level, allowed_channel_types)
             values ($1, $2, 'group', $3, 'message', '{phone}')`, [ownerId, agentId, groupId]);
  return { ownerId, agentId, contactId };
}

/** A session with the agent's token claims, inside an open transaction. */
const agentSession = (w: World) => claimsSession({ sub: w.ownerId, agent_id: w.agentId });

const tag = (client: pg.Client, w: World) => client.query(`update public.contacts set tags = tags || '{vip}' where id = $1`, [w.contactId]);
const telegram = (client: pg.Client, w: World) =>
  client.query(`insert into public.contact_communication_channels (contact_id, channel_type, identifier) values ($1, 'telegram', '@raced')`,
    [w.contactId]);

/** Runs `first` in one agent session, `second` in another while the first is uncommitted, then commits the first. */
async function race(w: World, first: typeof tag, second: typeof tag): Promise<void> {
  const [one, two] = [await agentSession(w), await agentSession(w)];
  // Agents see no other session's waits: a superuser watches.
  const watcher = new pg.Client({ connectionString: stack.dbUrl });
  await watcher.connect();
  try {
    await first(one, w);
    const pending = second(two, w);
    await untilWaitingForALock(watcher, pending);
    await one.query("commit");
    await assertRejects(() => pending, Error, "an agent cannot bring a contact into a group that grants it access");
  } finally {
    await two.query("rollback").catch(() => {});
    await Promise.all([one.end(), two.end(), watcher.end()]);
  }
}

Deno.test("agent grants under concurrent writes", async (t) => {
  const owner = await createOwner("agent-race");
  try {
    await t.step("a Telegram channel added while another session tags the contact is refused once the tag commits", async () => {
      const w = await arrange(owner.id, "tag first");
      await race(w, tag, telegram);
      const [contact] = await sql(`select tags, (select count(*)::int from public.contact_communication_channels where contact_id = $1) as channels
                                   from public.contacts where id = $1`, [w.contactId]);
      assertEquals(contact, { tags: ["vip"], channels: 0 });
    });

    await t.step("a tag added while another session adds a Telegram channel is refused once the channel commits", async () => {
      const w = await arrange(owner.id, "channel first");
      await race(w, telegram, tag);
      const [contact] = await sql(`select tags, (select count(*)::int from public.contact_communication_channels where contact_id = $1) as channels
                                   from public.contacts where id = $1`, [w.contactId]);
      assertEquals(contact, { tags: [], channels: 1 });
    });
  } finally {
    await removeOwners(owner);
  }
});
