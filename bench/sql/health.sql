-- The data set db:health is timed on (npm run bench -- audit): :contacts contacts over 101 owners,
-- one e-mail channel each and a phone for every second one, and an audit trail of one insert row
-- per contact and channel. Set-based, with triggers and foreign key checks off
-- (session_replication_role = replica): db:health reads the catalog and the statistics views, so
-- what matters here is how big the tables and indexes are, not how the rows got there. Run as the
-- superuser in one transaction on a freshly migrated scratch database.
set session_replication_role = replica;

insert into auth.users (id, aud, role, email, created_at, updated_at)
select md5('health-owner-' || n)::uuid, 'authenticated', 'authenticated', format('owner-%s@health.example', n), now(), now()
from generate_series(0, 100) n;

insert into public.contacts (id, user_id, first_name, last_name, display_name, organization, job_title, tags, metadata, created_at, updated_at)
select md5('health-contact-' || i)::uuid, md5('health-owner-' || (i % 101))::uuid,
  'First' || (i % 997), 'Last' || (i % 7919), 'First' || (i % 997) || ' Last' || (i % 7919),
  'Organization ' || (i % 4999), case when i % 3 = 0 then 'Engineer' end, array['tag' || (i % 13)],
  jsonb_build_object('source', 'health', 'n', i % 100), now() - make_interval(days => i % 1000), now()
from generate_series(1, :contacts) i;

insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, normalized_identifier)
select c.user_id, c.id, 'email', 'contact' || i || '@health.example', 'contact' || i || '@health.example'
from generate_series(1, :contacts) i
join public.contacts c on c.id = md5('health-contact-' || i)::uuid
union all
select c.user_id, c.id, 'phone', '+1555' || lpad(i::text, 7, '0'), '+1555' || lpad(i::text, 7, '0')
from generate_series(2, :contacts, 2) i
join public.contacts c on c.id = md5('health-contact-' || i)::uuid;

insert into public.contact_audit_log (user_id, contact_id, table_name, row_id, action, changed_columns, actor_role, occurred_at)
select c.user_id, c.id, 'contacts', c.id, 'insert', array['display_name', 'first_name', 'id', 'last_name', 'user_id'], 'postgres', c.created_at
from public.contacts c
union all
select ch.user_id, ch.contact_id, 'contact_communication_channels', ch.id, 'insert',
  array['channel_type', 'contact_id', 'id', 'identifier', 'user_id'], 'postgres', ch.created_at
from public.contact_communication_channels ch;

reset session_replication_role;

create schema if not exists bench;
create table bench.health_dataset (contacts bigint not null, fingerprint text not null, generation_seconds numeric not null);
