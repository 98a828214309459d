// Two repeatable read transactions of one owner nesting G1 under G2 and G2 under G1 cannot both
// commit (20251020000035): the second waits for the owner's nesting lock, then cannot lock the
// ancestor the first re-parented after its snapshot (40001), so no cycle is made. Read committed
// sessions, as PostgREST and the functions open them, are covered by pgTAP 150.
import { assertEquals, assertRejects } from "@std/assert/mod.js";
import pg from "pg";
import { claimsSession, untilWaitingForALock } from "./_support/sessions.ts";
import { createOwner, removeOwners, sql, stack } from "./_support/stack.ts";

/** An owner's session inside an open repeatable read transaction, its snapshot taken. */
async function ownerSession(ownerId: string): Promise<pg.Client> {
  const client = await claimsSession({ sub: ownerId }, "repeatable read");
  // The snapshot is taken here, before either re-parenting.
  await client.query("select count(*) from public.contact_groups");
  return client;
}

const nest = (client: pg.Client, child: string, parent: string) =>
  client.query(`update public.contact_groups set parent_group_id = $1 where id = $2`, [parent, child]);

Deno.test("group nesting under repeatable read makes no cycle", async () => {
  const owner = await createOwner("nesting-race");
  const [g1, g2] = (await sql<{ id: string }>(
    `insert into public.contact_groups (user_id, name) values ($1, 'G1'), ($1, 'G2') returning id`, [owner.id])).map((g) => g.id);
  const [one, two] = [await ownerSession(owner.id), await ownerSession(owner.id)];
  const watcher = new pg.Client({ connectionString: stack.dbUrl });
  await watcher.connect();
  try {
    await nest(one, g1, g2);
    const pending = nest(two, g2, g1);
    await untilWaitingForALock(watcher, pending);
    await one.query("commit");
    const refused = await assertRejects(() => pending) as { code?: string };
    assertEquals(refused.code, "40001", "the second re-parenting is a serialization failure, to be tried again");
    await two.query("rollback");
    const groups = await sql<{ name: string; parent: string | null }>(
      `select name, parent_group_id as parent from public.contact_groups where user_id = $1 order by name`, [owner.id]);
    assertEquals(groups, [{ name: "G1", parent: g2 }, { name: "G2", parent: null }]);
  } finally {
    await two.query("rollback").catch(() => {});
    await Promise.all([one.end(), two.end(), watcher.end()]);
    await removeOwners(owner);
  }
});
