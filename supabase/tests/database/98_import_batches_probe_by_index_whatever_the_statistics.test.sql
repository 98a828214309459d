-- The import's batches and the shared-key triggers look rows up by key, once per row of a batch.
-- They plan without sequential scans (20251012000000): to statistics, a table an import fills from
-- nearly empty, or whose indexes still hold a deleted owner's entries, looks cheaper to scan whole
-- than to probe, and a batch then scanned the channels table once per row (batches of 2-7 s instead
-- of 0.2 s in the import benchmark). The state needs autovacuum's timing to arise, so this test holds
-- the settings; the benchmark shows their effect.
begin;
select plan(6);

select ok((select 'enable_seqscan=off' = any (p.proconfig) from pg_proc p where p.oid = f.f::regprocedure),
  format('%s plans without sequential scans', f.f))
from (values
  ('private.import_contacts_batch(uuid, json, json, bigint, bigint)'),
  ('private.import_apply_batch(public.contact_import_jobs, private.contact_import_plan[], text, uuid)'),
  ('private.import_dry_run_batch(public.contact_import_jobs, private.contact_import_plan[], text, json)'),
  ('private.track_shared_channel_keys()'),
  ('private.track_shared_contact_keys()')
) as f (f);

-- The match key costs about 3 µs a call: priced as such, a probe reads the key from its index rather
-- than computing it for each of the owner's channels (20251012000001).
select is((select procost from pg_proc where oid = 'private.channel_match_key(text, text)'::regprocedure), 10000::real,
  'private.channel_match_key is priced as the expensive function it is');

select * from finish();
rollback;
