-- Rollback of 20251020000065: private.search_query_forms as 20251020000046 defined it.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.search_query_forms(names text[], identifiers text[])
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(distinct f.form) filter (where char_length(f.form) >= 3), '{}'::text[])
  from (
    select lower(btrim(n.v)) from unnest(search_query_forms.names) as n (v)
    union all
    select w.v from unnest(search_query_forms.names) as n (v)
    cross join lateral regexp_split_to_table(lower(n.v), '[^[:alnum:]]+') as w (v)
    union all
    select w.v from unnest(search_query_forms.names) as n (v)
    cross join lateral regexp_split_to_table(lower(btrim(n.v)), '\s+') as w (v)
    union all
    select lower(btrim(i.v)) from unnest(search_query_forms.identifiers) as i (v)
    union all
    select 'digits:' || right(d.digits, k.n)
    from unnest(search_query_forms.identifiers) as i (v)
    cross join lateral (select ltrim(regexp_replace(i.v, '\D', '', 'g'), '0') as digits) as d
    cross join lateral generate_series(7, char_length(d.digits)) as k (n)
    where i.v !~ '[[:alpha:]@]' and left(right(d.digits, k.n), 1) <> '0'
  ) as f (form)
$$;

comment on function private.search_query_forms(text[], text[]) is 'The forms an agent search for a subject was logged under (to hash): names whole and by word, identifiers whole, and the digits forms a number ends with (7+ digits), each of 3+ characters.';
