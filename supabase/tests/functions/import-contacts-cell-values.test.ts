// import-contacts end to end on what the cells of real exports hold (supabase/tests/fixtures/cell-values,
// taken from Salesforce, HubSpot, Mailchimp and Google Contacts files): opt-out flags that withdraw
// consent, phone cells that are not one number, several values in one cell, tags as lists.
import { assert, assertEquals, assertMatch } from "@std/assert/mod.js";
import { assertError } from "./_support/http.ts";
import { errorLines, type ErrorLine, type Job, upload, waitForJob } from "./_support/import.ts";
import { createOwner, type Owner, removeOwners, sql } from "./_support/stack.ts";

const FIXTURES = new URL("../fixtures/cell-values/", import.meta.url);
const fixture = (name: string) => new Blob([Deno.readFileSync(new URL(name, FIXTURES)) as BlobPart]);

async function importAndWait(owner: Owner, body: BodyInit, options: Record<string, string> = {}): Promise<Job> {
  const token = await owner.token();
  const response = await upload(token, body, { force: "true", ...options });
  assert(response.status === 202, `upload: ${response.status} ${JSON.stringify(response.body)}`);
  return await waitForJob(token, response.body.id);
}

/** Status and created, updated, skipped, failed. */
const outcome = (job: Job) => [job.status, job.created, job.updated, job.skipped, job.failed];

/** Each line of the report as [row, column, excerpt, reason code]. */
const lines = async (owner: Owner, job: Job) =>
  (await errorLines(await owner.token(), job.id)).map((l: ErrorLine) => [l.row_number, l.column_name, l.value_excerpt, l.reason.split(":")[0]]);

/** The owner's contacts by first name (else organization): channels as type:identifier:consent, and tags. */
async function contactsOf(owner: Owner): Promise<Record<string, { channels: string[]; tags: string[] }>> {
  const rows = await sql<{ name: string; channels: string[]; tags: string[] }>(
    `select coalesce(c.first_name, c.organization) as name, c.tags,
       coalesce(array_agg(ch.channel_type || ':' || ch.normalized_identifier || ':' || ch.consent_status
                          || case when ch.is_primary then '' else ':secondary' end
                          order by ch.channel_type, not ch.is_primary, ch.normalized_identifier)
         filter (where ch.id is not null), '{}') as channels
     from public.contacts c left join public.contact_communication_channels ch on ch.contact_id = c.id
     where c.user_id = $1 group by c.id`,
    [owner.id],
  );
  return Object.fromEntries(rows.map((r) => [r.name, { channels: r.channels, tags: r.tags }]));
}

/** Every channel of the owner, as type:identifier:consent, sorted. */
const allChannels = async (owner: Owner) =>
  (await sql<{ c: string }>(
    `select channel_type || ':' || normalized_identifier || ':' || consent_status as c from public.contact_communication_channels
     where user_id = $1 order by 1`,
    [owner.id],
  )).map((r) => r.c);

const channelsOf = async (owner: Owner) => Object.fromEntries(Object.entries(await contactsOf(owner)).map(([name, c]) => [name, c.channels]));

Deno.test("import-contacts: cell values of real exports", { sanitizeResources: false, sanitizeOps: false }, async (t) => {
  const owners: Owner[] = [];
  const fresh = async (label: string) => {
    const o = await createOwner(label);
    owners.push(o);
    return o;
  };
  try {
    await t.step("Salesforce Data Loader: HASOPTEDOUTOFEMAIL and DONOTCALL withdraw consent; false says nothing", async () => {
      const o = await fresh("cells-salesforce");
      // HOMEPHONE as a second phone: Do Not Call reaches every phone number of the row.
      const job = await importAndWait(o, fixture("salesforce_dataloader_opt_out.csv"), { mapping: JSON.stringify({ HOMEPHONE: "phone" }) });
      assertEquals(outcome(job), ["completed", 3, 0, 0, 2]);
      assertEquals(await lines(o, job), [
        [5, "HASOPTEDOUTOFEMAIL", "maybe", "invalid_opt_out"],
        [6, "DONOTCALL", "true", "invalid_opt_out"],
      ]);
      const [, noPhone] = await errorLines(await o.token(), job.id);
      assertEquals(noPhone.reason, "invalid_opt_out: an opt-out for phone is given but the row has no phone");
      assertEquals(await channelsOf(o), {
        Grace: ["email:grace.oneill@accenture.example:unknown", "phone:+35316462000:unknown", "phone:+353865550101:unknown:secondary"],
        Henrik: ["email:henrik.nystrom@ericsson.example:withdrawn", "phone:+46107190000:unknown"],
        Priya: ["email:priya.raman@tcs.example:unknown", "phone:+919845012345:withdrawn", "phone:+918022223333:withdrawn:secondary"],
      });
      const events = await sql(`select status, source, source_ref from public.contact_consent_events where user_id = $1`, [o.id]);
      assertEquals(events.length, 3, "one consent event per withdrawn channel, none for a false flag");
      assert(events.every((e) => e.status === "withdrawn" && e.source === "import" && e.source_ref === job.id));
    });

    await t.step("Salesforce report: Email Opt Out 1/0", async () => {
      const o = await fresh("cells-salesforce-report");
      const job = await importAndWait(o, fixture("salesforce_report_email_opt_out.csv"));
      assertEquals(outcome(job), ["completed", 2, 0, 0, 0]);
      const channels = await channelsOf(o);
      assertEquals([channels.Grace[0], channels.Henrik[0]], ["email:grace.oneill@accenture.example:unknown", "email:henrik.nystrom@ericsson.example:withdrawn"]);
    });

    await t.step("an opt-out mapped as optout.email; opted out wins over a consent column of the same row", async () => {
      const o = await fresh("cells-opt-out-wins");
      const csv = "email,email_consent,Opted Out\n" +
        "ada@example.com,yes,true\n" + // opted out after subscribing
        "grace@example.com,yes,false\n" + // not opted out: the consent column stands
        "alan@example.com,,no\n" + // says nothing: unknown, never granted
        "lin@example.com,yes,2024-06-01T12:00:00Z\n";
      const job = await importAndWait(o, csv, { mapping: JSON.stringify({ "Opted Out": "optout.email" }) });
      assertEquals(outcome(job), ["completed", 4, 0, 0, 0]);
      assertEquals(await allChannels(o), [
        "email:ada@example.com:withdrawn", "email:alan@example.com:unknown", "email:grace@example.com:granted", "email:lin@example.com:withdrawn",
      ]);
      const bad = await upload(await o.token(), csv, { mapping: JSON.stringify({ "Opted Out": "optout.fax" }) });
      assertError(bad, 422, "validation_failed");
    });

    await t.step("several opt-out columns of one channel type: any one opted out withdraws, none fails the file", async () => {
      const o = await fresh("cells-two-opt-outs");
      const csv = "Email,HasOptedOutOfEmail,Unsubscribed\n" +
        "ada@example.com,false,true\n" +
        "grace@example.com,false,false\n";
      const job = await importAndWait(o, csv);
      assertEquals(outcome(job), ["completed", 2, 0, 0, 0]);
      assertEquals(await allChannels(o), ["email:ada@example.com:withdrawn", "email:grace@example.com:unknown"]);
    });

    await t.step("Mailchimp: the subscribed export, then the unsubscribed one withdraws consent of the existing contacts", async () => {
      const o = await fresh("cells-mailchimp");
      // The subscribed export has no consent column: every row of it is a subscriber.
      const subscribed = await importAndWait(o, fixture("mailchimp_subscribed.csv"), { consent: JSON.stringify({ email: "granted" }) });
      assertEquals(outcome(subscribed), ["completed", 3, 0, 0, 0]);
      assertEquals(await contactsOf(o), {
        Lena: { channels: ["email:lena.schmidt@posteo.example:granted", "phone:+49301234567:unknown"], tags: ["Newsletter", "Customer, 2023"] },
        Pierre: { channels: ["email:pierre.martin@free.example:granted"], tags: ["Newsletter"] },
        Chloé: { channels: ["email:chloe@example.example:granted"], tags: [] },
      });

      // A dry run shows the withdrawal it would record on Pierre's address.
      const preview = await importAndWait(o, fixture("mailchimp_unsubscribed.csv"), { on_duplicate: "merge_fill_empty", dry_run: "true" });
      assertEquals(outcome(preview), ["completed", 1, 1, 0, 0]);
      const [changed] = preview.dry_run_report!.changed as { row: number; changes: Record<string, unknown> }[];
      assertEquals([changed.row, changed.changes.consent], [2, {
        from: [{ type: "email", identifier: "pierre.martin@free.example", status: "granted" }],
        to: [{ type: "email", identifier: "pierre.martin@free.example", status: "withdrawn" }],
      }]);

      // UNSUB_TIME is recognized by its name: no mapping.
      const unsubscribed = await importAndWait(o, fixture("mailchimp_unsubscribed.csv"), { on_duplicate: "merge_fill_empty" });
      assertEquals(outcome(unsubscribed), ["completed", 1, 1, 0, 0]);
      assertEquals(await lines(o, unsubscribed), []);
      const after = await channelsOf(o);
      assertEquals([after.Pierre, after.Günther, after.Lena[0]], [
        ["email:pierre.martin@free.example:withdrawn"], ["email:old.customer@web.example:withdrawn"], "email:lena.schmidt@posteo.example:granted",
      ]);
      const [event] = await sql(
        `select e.status, e.source_ref from public.contact_consent_events e
         join public.contact_communication_channels ch on ch.id = e.channel_id
         where e.user_id = $1 and ch.normalized_identifier = 'pierre.martin@free.example' order by e.id desc limit 1`,
        [o.id],
      );
      assertEquals(event, { status: "withdrawn", source_ref: unsubscribed.id });
    });

    await t.step("one consent for the whole file: an unsubscribe list without a flag column", async () => {
      const o = await fresh("cells-file-consent");
      await importAndWait(o, "first_name,email,email_consent\nAda,ada@example.com,yes\nGrace,grace@example.com,yes\n");
      const list = "email,phone\nada@example.com ::: ada@work.example,+44 20 7946 0018\nlin@example.com,\n";
      const job = await importAndWait(o, list, { on_duplicate: "update", consent: JSON.stringify({ email: "withdrawn" }) });
      assertEquals(outcome(job), ["completed", 1, 1, 0, 0]);
      assertEquals(await allChannels(o), [
        "email:ada@example.com:withdrawn", "email:ada@work.example:withdrawn", "email:grace@example.com:granted",
        "email:lin@example.com:withdrawn", "phone:+442079460018:unknown",
      ], "the file's withdrawal reaches each address of its rows, and no other channel type");
      for (const consent of ['{"email":"maybe"}', '{"fax":"withdrawn"}', "withdrawn"]) {
        assertError(await upload(await o.token(), list, { consent }), 422, "validation_failed");
      }
    });

    await t.step("HubSpot: a / joining two numbers, an extension and n/a fail their rows with what is wrong", async () => {
      const o = await fresh("cells-hubspot-phones");
      const job = await importAndWait(o, fixture("hubspot_phone_edge.csv"));
      assertEquals(outcome(job), ["completed", 0, 0, 0, 4]);
      const report = await errorLines(await o.token(), job.id);
      assertEquals(report.map((l) => [l.row_number, l.column_name, l.value_excerpt, l.reason]), [
        [2, "Phone Number", "+1 415 555 0132 / 204",
          "invalid_phone: not one phone number: a / joins two numbers or endings; give one number per cell, or several separated by :::"],
        [3, "Phone Number", "+44 20 7946 0018 / 19",
          "invalid_phone: not one phone number: a / joins two numbers or endings; give one number per cell, or several separated by :::"],
        [4, "Phone Number", "+1 (415) 555-0100 x123", "invalid_phone: extensions are not stored: give the number without its extension"],
        [5, "Phone Number", "n/a", "invalid_phone: not a valid phone number"],
      ]);
      assertEquals((await sql(`select 1 from public.contact_communication_channels where user_id = $1`, [o.id])).length, 0);
    });

    await t.step("HubSpot: additional e-mail addresses split at ;, a national number asks for default_country", async () => {
      const o = await fresh("cells-hubspot-emails");
      const mapping = JSON.stringify({ "Additional email addresses": "email", "Mobile Phone Number": "phone" });
      const job = await importAndWait(o, fixture("hubspot_additional_emails.csv"), { mapping });
      assertEquals(outcome(job), ["completed", 3, 0, 0, 1]);
      const [noah] = await errorLines(await o.token(), job.id);
      assertEquals([noah.row_number, noah.column_name, noah.value_excerpt, noah.reason],
        [5, "Phone Number", "(415) 555-0132", "invalid_phone: not a valid phone number (a national number needs default_country)"]);
      assertEquals(await channelsOf(o), {
        Maria: [
          "email:maria.souza@natura.example:unknown", "email:maria@souza.example:unknown:secondary", "email:msouza@gmail.example:unknown:secondary",
          "phone:+551143897000:unknown", "phone:+5511987654321:unknown:secondary",
        ],
        François: ["email:f.lefebvre@michelin.example:unknown", "phone:+33473322000:unknown"],
        Aiko: ["email:aiko.tanaka@sony.example:unknown", "phone:+819012345678:unknown"],
      });
    });

    await t.step("Google Contacts: several values per cell, labels as tags, an invalid part failing its row", async () => {
      const o = await fresh("cells-google");
      const mapping = JSON.stringify({
        "E-mail 1 - Value": "email", "E-mail 2 - Value": "email", "Phone 1 - Value": "phone", "Phone 2 - Value": "phone",
        "Organization Name": "organization",
      });
      const job = await importAndWait(o, fixture("google_contacts.csv"), { mapping, default_country: "FR" });
      assertEquals(outcome(job), ["completed", 6, 0, 0, 1]);
      assertEquals(await lines(o, job), [[11, "E-mail 1 - Value", "not-an-address", "invalid_email"]]);
      assertEquals(await contactsOf(o), {
        Amélie: {
          channels: [
            "email:amelie.dupont@socgen.example:unknown", "email:amelie.d@gmail.example:unknown:secondary",
            "phone:+33612345678:unknown", "phone:+33142142000:unknown:secondary",
          ],
          tags: ["myContacts", "Clients", "VIP"],
        },
        Jürgen: {
          channels: [
            "email:j.mueller@mueller-soehne.example:unknown", "email:juergen@mueller-soehne.example:unknown:secondary",
            "phone:+49891234567:unknown", "phone:+491719876543:unknown:secondary",
          ],
          tags: ["myContacts"],
        },
        Siobhán: { channels: ["email:siobhan.oconnor@eircom.example:unknown", "phone:+353871234567:unknown"], tags: ["myContacts", "Friends"] },
        José: { channels: ["phone:+34612345678:unknown"], tags: ["myContacts", "Suppliers"] },
        Zoë: { channels: ["email:zoe.ng@outlook.example:unknown", "email:zng@contoso.example:unknown:secondary"], tags: ["starred", "myContacts"] },
        "Boulangerie Lefèvre": { channels: ["phone:+33143256789:unknown"], tags: ["myContacts"] },
      });
    });

    await t.step("tags: a quoted list that does not close fails its row; the 100-tag limit holds for split cells", async () => {
      const o = await fresh("cells-tags");
      const many = Array.from({ length: 101 }, (_, i) => `t${i}`).join(" ::: ");
      const csv = `email,tags\nada@example.com,"""VIP"",""Customer"\ngrace@example.com,${many}\nlin@example.com,"a ::: b;c|d, a"\n`;
      const job = await importAndWait(o, csv);
      assertEquals(outcome(job), ["completed", 1, 0, 0, 2]);
      const report = await errorLines(await o.token(), job.id);
      assertEquals(report.map((l) => [l.row_number, l.column_name, l.reason.split(":")[0]]), [[2, "tags", "invalid_tags"], [3, "tags", "value_too_long"]]);
      assertMatch(report[0].reason, /quoted list/);
      const [lin] = await sql<{ tags: string[] }>(`select tags from public.contacts where user_id = $1`, [o.id]);
      assertEquals(lin.tags, ["a", "b", "c", "d"]);
    });
  } finally {
    await removeOwners(...owners);
  }
});
