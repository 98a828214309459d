// An upload that no import job keeps (the same file again, a job not created, a file refused) goes
// at once. When Storage fails to remove it, the function queues it for contacts-retention on the
// caller's own connection (the RLS-scoped one every function gets from createHandler, here behind
// the owner's real token), and the request does not fail. Storage fails for real here: the
// upload's path is a folder with a file in it.
import { assertEquals } from "@std/assert/mod.js";
import { createHandler } from "../../functions/_shared/auth.ts";
import { LocalFolderStorage, type StoredObject } from "../../functions/_shared/storage.ts";
import { discardUnusedUpload } from "../../functions/import-contacts/uploads.ts";
import { storedFile, storedUploads } from "./_support/import.ts";
import { createOwner, type Owner, removeOwners, sql, stack } from "./_support/stack.ts";

const storage = new LocalFolderStorage(Deno.env.get("SUPABASE_LOCAL_STORAGE_DIR")!);

const uploadOf = (owner: Owner): StoredObject => ({ bucket: "imports", path: `${owner.id}/${crypto.randomUUID()}.csv` });
const fileName = (upload: StoredObject) => upload.path.split("/").pop()!;

/** Discards `upload` within a request of `caller`, on the connection the function would use. */
async function discardAs(caller: Owner, upload: StoredObject): Promise<void> {
  const handler = createHandler({ name: "import-contacts", methods: ["POST"], auth: "user" }, async (_req, ctx) => {
    await discardUnusedUpload(storage, ctx.db, upload);
    return new Response(null, { status: 204 });
  });
  const response = await handler(new Request(`${stack.url}/functions/v1/import-contacts`, {
    method: "POST",
    headers: { Authorization: `Bearer ${await caller.token()}`, apikey: stack.publishableKey },
  }));
  assertEquals(response.status, 204, "discarding never fails the request");
}

/** An upload Storage cannot remove: a folder holding a file where the object should be. */
function unremovable(owner: Owner): StoredObject {
  const upload = uploadOf(owner);
  Deno.mkdirSync(storedFile(owner.id, fileName(upload)));
  Deno.writeTextFileSync(`${storedFile(owner.id, fileName(upload))}/held`, "");
  return upload;
}

const queued = async (upload: StoredObject) =>
  await sql<{ user_id: string }>(`select user_id from private.import_uploads_to_remove where storage_path = $1`, [`${upload.bucket}/${upload.path}`]);

Deno.test("import-contacts: uploads no job keeps", { sanitizeResources: false, sanitizeOps: false }, async (t) => {
  const owner = await createOwner("unused-uploads");
  const other = await createOwner("unused-uploads-other");
  try {
    await t.step("removed from Storage at once, and nothing queued", async () => {
      const upload = uploadOf(owner);
      Deno.writeTextFileSync(storedFile(owner.id, fileName(upload)), "email\nada@example.com\n");
      await discardAs(owner, upload);
      assertEquals(storedUploads(owner.id), []);
      assertEquals(await queued(upload), []);
    });

    await t.step("when Storage fails, queued under its owner on the owner's connection", async () => {
      const upload = unremovable(owner);
      await discardAs(owner, upload);
      assertEquals(await queued(upload), [{ user_id: owner.id }]);
    });

    await t.step("another owner's upload is never queued by a caller", async () => {
      const upload = unremovable(other);
      await discardAs(owner, upload);
      assertEquals(await queued(upload), [], "the database refuses a path outside the caller's folder");
    });
  } finally {
    for (const o of [owner, other]) await Deno.remove(storedFile(o.id, "").slice(0, -1), { recursive: true }).catch(() => {});
    await sql(`delete from private.import_uploads_to_remove where user_id = any($1::uuid[])`, [[owner.id, other.id]]);
    await removeOwners(owner, other);
  }
});
