-- Rollback of 20251020000087_name_blocks_see_past_legal_forms_initials_apostrophes_and_scripts:
-- private.organization_match_key as 20251011000002 and private.name_sound_key as 20251020000059
-- defined them, with the comments of 20251002000002; the stored blocks and shared name keys are
-- recomputed with them.
set lock_timeout = '5s';
set statement_timeout = '15min';

create or replace function private.organization_match_key(organization text)
returns text
language plpgsql
immutable
strict
parallel safe
set search_path = ''
as $$
begin
  return nullif(btrim(regexp_replace(
    translate(lower(organization_match_key.organization),
      'àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōùúûüūýÿšśłđřžź', 'aaaaaaaccceeeeeeeiiiiinnooooooouuuuuyyssldrzz'),
    '[^[:alnum:]]+', ' ', 'g')), '');
end;
$$;
comment on function private.organization_match_key(text) is 'Comparison form of an organization name: lower-cased, accents folded, punctuation and spaces collapsed; null when empty.';

create or replace function private.name_sound_key(name text)
returns text
language plpgsql
immutable
strict
parallel safe
set search_path = ''
as $$
declare
  coded text;
  words text[];
begin
  coded := translate(lower(name_sound_key.name),
    ' eanrilostmhdcukgybjpwfvzxqéèáíóüäöñçßàâãåāêëēėęìîïīòôõøōùúûūæœýÿćčšśžźđłńř0123456789',
    ' 00560402359320229121911222000000005220000000000000000000000000992222223456          ');
  coded := regexp_replace(coded, '[^0-9]+', ' ', 'g');
  coded := regexp_replace(coded, '(?<=\S)[09]+', '', 'g');
  coded := regexp_replace(coded, '(?<=1)1+|(?<=2)2+|(?<=3)3+|(?<=4)4+|(?<=5)5+|(?<=6)6+', '', 'g');
  words := string_to_array(btrim(coded), ' ');
  if cardinality(words) = 0 then
    return '';
  elsif cardinality(words) = 1 and words[1] <> '' then
    return words[1];
  elsif cardinality(words) = 2 and words[1] <> '' and words[2] <> '' then
    return case when words[2] < words[1] then words[2] || ' ' || words[1] else words[1] || ' ' || words[2] end;
  end if;
  return array_to_string(array(
    select w from unnest(words) as x (w) where w <> '' order by w), ' ');
end;
$$;
comment on function private.name_sound_key(text) is 'Sound code of a name, word by word and order-free: tolerant of case, accents, vowels, h/w/y and doubled letters.';

-- Stored blocks follow, in one update of the contacts whose block changes. As 20251011000000
-- filled them, without the contacts' triggers: only a derived column changes, so no audit entry
-- and no new updated_at. The shared name keys the shared-key trigger keeps (private.duplicate_keys)
-- are brought up to date after it: an old block goes when fewer than two contacts still hold it, a
-- new one comes when two do. Row locks only.
create temporary table renamed_name_blocks (user_id uuid, old_block bigint, new_block bigint) on commit drop;
set local session_replication_role = replica;
with renamed as (
  update public.contacts c
  set name_block = b.new_block
  from (select s.id, s.user_id, s.name_block as old_block,
          private.contact_name_block(s.organization, s.display_name) as new_block
        from public.contacts s
        where s.organization is not null) b
  where c.id = b.id and c.user_id = b.user_id and b.new_block is distinct from b.old_block
  returning c.user_id, b.old_block, b.new_block
)
insert into renamed_name_blocks select r.user_id, r.old_block, r.new_block from renamed r;
set local session_replication_role = origin;
analyze renamed_name_blocks;

delete from private.duplicate_keys d
using (select distinct r.user_id, r.old_block from renamed_name_blocks r where r.old_block is not null) o
where d.user_id = o.user_id and d.kind = 'name' and d.match_key = o.old_block::text
  and (select count(*) from public.contacts c where c.user_id = o.user_id and c.name_block = o.old_block) < 2;
insert into private.duplicate_keys (user_id, kind, match_key)
select c.user_id, 'name', c.name_block::text
from public.contacts c
join (select distinct r.user_id, r.new_block from renamed_name_blocks r where r.new_block is not null) n
  on c.user_id = n.user_id and c.name_block = n.new_block
group by c.user_id, c.name_block
having count(*) > 1
on conflict do nothing;
