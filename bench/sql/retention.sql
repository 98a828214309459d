-- Retention benchmark data, on top of the contacts of generate.sql: `interactions` interactions
-- spread evenly over the last `span_days` days, inserted oldest first (as a timeline grows), each on
-- one of the owners' contacts; one contact in a thousand under legal hold; one delete policy per
-- owner for interactions older than `retain_days`. With span 1000 and retention 700, 30% of the
-- interactions are past their retention. A copy of those rows lets later runs restore them.
-- Set-based and as fast as the scratch database allows: triggers and foreign key checks are off
-- for the load (session_replication_role, superuser only: the rows are valid by construction, and
-- no trigger of interactions writes elsewhere); the indexes, the primary key included (no foreign
-- key references it), are built after the load, each by one sort; the contact of each row is
-- looked up by an index nested loop, which keeps the rows in generation order without sorting
-- them; the copy of the expired rows is unlogged.
create unlogged table bench.contact_numbers as
select row_number() over (order by c.id) as n, c.id, c.user_id from public.contacts c;
create unique index on bench.contact_numbers (n);
analyze bench.contact_numbers;
select count(*) as contact_count from bench.contact_numbers \gset

update public.contacts set legal_hold = true, legal_hold_reason = 'benchmark hold'
where id in (select id from bench.contact_numbers where n % 1000 = 0);

select bench.defer_indexes(array['public.contact_interactions']::regclass[]);
select obj_description('public.contact_interactions_pkey'::regclass, 'pg_class') as pkey_comment \gset
alter table public.contact_interactions drop constraint contact_interactions_pkey;
set session_replication_role = replica;
set enable_hashjoin = off;
set enable_mergejoin = off;
insert into public.contact_interactions (id, user_id, contact_id, channel_type, interaction_type, direction, subject, content,
  delivery_status, queued_at, sent_at, delivered_at, occurred_at, created_at, updated_at)
select md5('bench-interaction-' || x.g)::uuid, c.user_id, c.id, 'email', 'email',
  case when x.g % 2 = 0 then 'outbound' else 'inbound' end,
  'Re: order ' || x.g, 'Thanks for your message, we will get back to you shortly. Reference ' || x.g,
  'delivered', x.t, x.t, x.t, x.t, x.t, x.t
from (
  select g, now() - make_interval(days => :span_days) * (1 - g::double precision / :interactions) as t,
    1 + (g * 7919) % :contact_count as n
  from generate_series(1, :interactions::bigint) g
) x
join bench.contact_numbers c on c.n = x.n;
reset enable_hashjoin;
reset enable_mergejoin;
reset session_replication_role;
alter table public.contact_interactions add constraint contact_interactions_pkey primary key (id);
comment on index public.contact_interactions_pkey is :'pkey_comment';
select bench.restore_indexes();

insert into public.contact_retention_policies (user_id, data_class, action, retain_days)
select u.id, 'interactions', 'delete', :retain_days from auth.users u;

create unlogged table bench.expired_interactions as
select * from public.contact_interactions where occurred_at < now() - make_interval(days => :retain_days);

create table bench.retention_dataset (interactions bigint not null, span_days integer not null, retain_days integer not null,
  generated_at timestamptz not null default now());
insert into bench.retention_dataset (interactions, span_days, retain_days) values (:interactions, :span_days, :retain_days);
drop table bench.contact_numbers;
