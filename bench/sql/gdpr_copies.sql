-- Copies of the gdpr benchmark's data subject (bench/sql/gdpr_subject.sql) for the calls through
-- the functions gateway, where an erasure commits: one copy per call, each the same shape (20
-- channels, 50 memberships in 50 groups, a specific-contact grant, 10,000 interactions). They
-- belong to an owner of their own whose id, like theirs, is an RFC 9562 uuid (the functions
-- validate the ids in their answers; the generator's md5 ids are not). :run makes the identifiers
-- new on every run (erased identifiers are suppressed for good). Inserted with every trigger on,
-- as the application would. psql variables: copies, run, owner.
insert into auth.users (id, aud, role, email, created_at, updated_at)
values (:'owner', 'authenticated', 'authenticated', 'gdpr-copies@bench.example', now(), now())
on conflict do nothing;
insert into public.agents (id, user_id, name, description)
values (md5('bench-gdpr-copy-agent')::uuid, :'owner', 'bench-agent', 'Benchmark agent of the erased copies')
on conflict do nothing;
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, permission_level)
values (md5('bench-gdpr-copy-grant')::uuid, :'owner', md5('bench-gdpr-copy-agent')::uuid, 'specific_contacts', 'read')
on conflict do nothing;
insert into public.contact_groups (id, user_id, name, description)
select md5('bench-gdpr-copy-group-' || n)::uuid, :'owner', 'Benchmark group ' || n, 'Groups of the erased copies'
from generate_series(1, 50) n
on conflict do nothing;

-- Contact ids: md5 digests with the version 4 and variant bits set.
create temporary table copy_ids on commit drop as
select k, (substr(h, 1, 12) || '4' || substr(h, 14, 3) || '8' || substr(h, 18))::uuid as id
from generate_series(1, :copies) k, md5(format('bench-gdpr-copy-%s-%s', :'run', k)) as h;

insert into public.contacts (id, user_id, first_name, last_name, organization, job_title, metadata, tags, external_id)
select c.id, :'owner'::uuid, 'Gudrun', 'Copydottir ' || k,
  'Erasure Trading', 'Head of Data', '{"vip": true, "notes": "prefers e-mail"}', '{customer,vip}', format('bench-gdpr-copy-%s-%s', :'run', k)
from copy_ids c;

insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, label, is_primary, consent_status)
select md5(format('bench-gdpr-copy-%s-%s-channel-%s', :'run', k, n))::uuid, :'owner'::uuid, c.id, t.channel_type,
  case t.channel_type
    when 'email' then format('gudrun.copy%s.%s.%s@erasure-%s.example', k, n, :'run', n)
    when 'phone' then format('+3546%s%s', lpad(k::text, 3, '0'), lpad((n + 100 * (:'run'::bigint % 100000))::text, 8, '0'))
    when 'whatsapp' then format('+3547%s%s', lpad(k::text, 3, '0'), lpad((n + 100 * (:'run'::bigint % 100000))::text, 8, '0'))
    else format('@gudrun_copy_%s_%s_%s_%s', t.channel_type, k, n, :'run') end,
  t.channel_type || ' ' || n, n in (1, 3, 4, 6, 7, 8, 14), 'granted'
from copy_ids c
cross join generate_series(1, 20) n
cross join lateral (select (array['email', 'email', 'phone', 'whatsapp', 'email', 'telegram', 'slack', 'webchat', 'phone', 'email',
  'email', 'phone', 'whatsapp', 'other', 'email', 'phone', 'telegram', 'email', 'slack', 'webchat'])[n] as channel_type) t;

insert into public.contact_group_memberships (group_id, contact_id, user_id)
select md5('bench-gdpr-copy-group-' || g)::uuid, c.id, :'owner'::uuid
from copy_ids c
cross join generate_series(1, 50) g;

insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id)
select :'owner'::uuid, md5('bench-gdpr-copy-grant')::uuid, md5('bench-gdpr-copy-agent')::uuid, c.id
from copy_ids c;

insert into public.contact_interactions (id, user_id, contact_id, agent_id, channel_id, channel_type, interaction_type, direction,
  subject, content, delivery_status, occurred_at)
select gen_random_uuid(), ch.user_id, ch.contact_id, case when n % 3 = 0 then md5('bench-gdpr-copy-agent')::uuid end,
  ch.id, ch.channel_type, case when ch.channel_type = 'email' then 'email' else 'message' end,
  case when n % 2 = 0 then 'outbound' else 'inbound' end,
  'Gudrun, about your account (' || n || ')',
  'Dear Gudrun Copydottir, thank you for your message number ' || n || '. Your request is being handled.',
  'queued', now() - make_interval(days => 1095) * (n::double precision / 10000)
from generate_series(1, :copies) k
cross join generate_series(1, 10000) n
join public.contact_communication_channels ch on ch.id = md5(format('bench-gdpr-copy-%s-%s-channel-%s', :'run', k, 1 + n % 20))::uuid;
