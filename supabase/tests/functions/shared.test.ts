// Server-free tests of the pure parts of _shared: cursors, the SQLSTATE mapping, callers, and the
// local stand-in for Storage on a scratch folder.
import { assertEquals, assertInstanceOf, assertNotEquals, assertRejects, assertThrows } from "@std/assert/mod.js";
import { z } from "zod";
import { callerOf } from "../../functions/_shared/auth.ts";
import { bindingOf, openCursor, sealCursor } from "../../functions/_shared/cursor.ts";
import { databaseErrorToHttp } from "../../functions/_shared/db.ts";
import { HttpError } from "../../functions/_shared/http.ts";
import { LocalFolderStorage } from "../../functions/_shared/storage.ts";
import { receiveBody } from "../../functions/import-contacts/intake.ts";

const context = { fn: "test", req: new Request("http://localhost/test") };
const Position = z.object({ n: z.number() });

Deno.test("cursors round-trip and refuse tampering or another binding", async () => {
  Deno.env.set("CURSOR_SECRET", "test-cursor-secret");
  const binding = await bindingOf(["query a"]);
  const token = await sealCursor({ n: 7 }, binding);
  assertEquals(await openCursor(token, binding, Position), { n: 7 });
  const other = await bindingOf(["query b"]);
  await assertRejects(() => openCursor(token, other, Position), HttpError);
  const [payload, signature] = token.split(".");
  await assertRejects(() => openCursor(`${payload}x.${signature}`, binding, Position), HttpError);
  await assertRejects(() => openCursor("a.b.c", binding, Position), HttpError);
});

Deno.test("SQLSTATEs map to statuses, and only curated messages pass through", () => {
  const cases: [string, string, number][] = [
    ["P0002", "agent not found", 404],
    ["23505", "duplicate key value violates unique constraint \"x\"", 409],
    ["23503", "insert or update on table \"x\" violates foreign key constraint", 404],
    ["23514", "new row for relation \"contacts\" violates check constraint", 422],
    ["22021", "invalid byte sequence for encoding \"UTF8\": 0x00", 422],
    ["42501", "permission denied for table contacts", 403],
    ["55000", "contact is under legal hold and cannot be erased or anonymized", 409],
    ["57014", "canceling statement due to statement timeout", 503],
    ["XX000", "internal error", 500],
  ];
  const silence = console.error;
  console.error = () => {};
  try {
    for (const [code, message, status] of cases) {
      const mapped = databaseErrorToHttp({ code, message }, "write", context) as HttpError;
      assertInstanceOf(mapped, HttpError);
      assertEquals(mapped.status, status, code);
      const curated = ["P0002", "55000"].includes(code);
      assertEquals(mapped.message === message, curated, `${code} message ${curated ? "kept" : "replaced"}`);
    }
    assertEquals((databaseErrorToHttp({ code: "23503" }, "delete", context) as HttpError).status, 409);
  } finally {
    console.error = silence;
  }
  const notDatabase = new Error("boom");
  assertEquals(databaseErrorToHttp(notDatabase, "read", context), notDatabase);
});

Deno.test("callers: owner, agent-scoped, service; malformed agent claims are refused", () => {
  const sub = crypto.randomUUID();
  const agent = crypto.randomUUID();
  assertEquals(callerOf({ authMode: "user", jwtClaims: { sub, role: "authenticated" } }).kind, "owner");
  assertEquals(callerOf({ authMode: "user", jwtClaims: { sub, role: "authenticated", agent_id: agent } }).agentId, agent);
  assertEquals(callerOf({ authMode: "secret", jwtClaims: null }).kind, "service");
  assertThrows(() => callerOf({ authMode: "user", jwtClaims: { sub, role: "authenticated", agent_id: 42 } }), HttpError);
  assertThrows(() => callerOf({ authMode: "user", jwtClaims: { sub, role: "anon" } }), HttpError);
  assertThrows(() => callerOf({ authMode: "user", jwtClaims: { sub: "user_2abcClerk", role: "authenticated" } }), HttpError);
  assertEquals(callerOf({ authMode: "user", jwtClaims: { sub: sub.toUpperCase(), role: "authenticated" } }).userId, sub,
    "an owner id is spelt as the database and Storage folders spell it");
});

Deno.test("local Storage: a file replaced by one of the same size has another version; the intake names the one it wrote", async () => {
  const root = await Deno.makeTempDir();
  try {
    const storage = new LocalFolderStorage(root);
    const object = { bucket: "imports", path: "owner/file.csv" };
    const stream = (text: string) => new Blob([text]).stream();
    const versionOf = async (offset = 0) => {
      const file = (await storage.read(object, offset))!;
      await file.body.cancel();
      return [file.size, file.version];
    };
    const written = await storage.write(object, stream("email\nada@example.com\n"));
    const [size, first] = await versionOf();
    assertEquals([written.bytes, written.version], [size, first], "a write names the version a read of it names");
    assertEquals(await versionOf(6), [size, first], "a read from an offset names the same version");
    await storage.write(object, stream("email\nbob@example.com\n"));
    const [sameSize, rewritten] = await versionOf();
    assertEquals(sameSize, size);
    assertNotEquals(rewritten, first, "a write of the same size is another version");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await Deno.writeTextFile(`${root}/imports/owner/file.csv`, "email\ncat@example.com\n");
    assertNotEquals((await versionOf())[1], rewritten, "so is an edit in place");

    // The intake gives a job the version of the very bytes it hashed and wrote.
    const uploads = { storage, discard: () => Promise.resolve() };
    const request = new Request("http://localhost/", { method: "POST", body: "email\ndee@example.com\n" });
    const { intake } = await receiveBody(request, uploads, object, { maxBytes: 1024, maxRows: 10 }, {});
    assertEquals([intake.rows, intake.version], [1, (await versionOf())[1]]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
