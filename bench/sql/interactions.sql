-- Reusable: adds interactions to the contacts of generate.sql, set-based. psql variables:
--   first   number of the first interaction to add (1 for a fresh table; the current count + 1 to
--           grow it in stages, e.g. 100k -> 1M -> 10M, as the gdpr benchmark does)
--   count   how many to add
-- Interaction g goes to contact 1 + (g * 7919) mod <contacts> (in id order of bench.contact_numbers,
-- built here once), so every contact gets about the same share, spread over the last 1000 days,
-- with realistic text. Ids are md5('bench-interaction-' || g): the same g always gives the same
-- row. Triggers are skipped (session_replication_role, superuser only): the rows are valid by
-- construction and no trigger of interactions writes elsewhere. Indexes that back no constraint
-- are dropped for the load and rebuilt after it (bench.defer_indexes in helpers.sql).
-- Used by the gdpr benchmark (bench/lib/gdpr.mjs); any scenario needing the 1M contacts / 10M
-- interactions shape can call it the same way.
select to_regclass('bench.contact_numbers') is null as number_contacts \gset
\if :number_contacts
create table bench.contact_numbers as
select row_number() over (order by c.id) as n, c.id, c.user_id from public.contacts c;
create unique index on bench.contact_numbers (n);
\endif
select count(*) as contact_count from bench.contact_numbers \gset

select bench.defer_indexes(array['public.contact_interactions']::regclass[]);
set session_replication_role = replica;
insert into public.contact_interactions (id, user_id, contact_id, channel_type, interaction_type, direction, subject, content,
  summary, delivery_status, queued_at, sent_at, delivered_at, occurred_at, created_at, updated_at)
select md5('bench-interaction-' || x.g)::uuid, c.user_id, c.id, 'email', 'email',
  case when x.g % 2 = 0 then 'outbound' else 'inbound' end,
  'Re: order ' || x.g,
  'Thanks for your message about order ' || x.g || '. We have checked the delivery and will get back to you shortly.',
  case when x.g % 5 = 0 then 'Customer asked about an order' end,
  'delivered', x.t, x.t, x.t, x.t, x.t, x.t
from (
  select g, now() - make_interval(days => 1000) * bench.rand(g, 101) as t, 1 + (g * 7919) % :contact_count as n
  from generate_series(:first::bigint, :first::bigint + :count::bigint - 1) g
) x
join bench.contact_numbers c on c.n = x.n;
reset session_replication_role;
select bench.restore_indexes();
