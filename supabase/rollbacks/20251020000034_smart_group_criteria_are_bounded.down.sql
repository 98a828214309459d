-- Rolls back 20251020000034_smart_group_criteria_are_bounded: the validator as 20251020000015 left it.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function public.is_valid_smart_group_criteria(criteria jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(
    jsonb_typeof(criteria) = 'object'
    and (criteria - 'match' - 'rules') = '{}'::jsonb
    and coalesce(criteria ->> 'match', 'all') in ('all', 'any')
    and jsonb_typeof(criteria -> 'rules') = 'array'
    and jsonb_array_length(criteria -> 'rules') between 1 and 50
    and (
      select bool_and(coalesce(
        jsonb_typeof(rule) = 'object'
        and (rule - 'field' - 'op' - 'value') = '{}'::jsonb
        and case
          when rule ->> 'field' = 'tags' then
            (rule ->> 'op' = 'contains' and jsonb_typeof(rule -> 'value') = 'string')
            or (rule ->> 'op' in ('is_empty', 'not_empty') and not rule ? 'value')
          when rule ->> 'field' = 'channel_type' then
            rule ->> 'op' = 'has' and rule ->> 'value' in ('email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other')
          when rule ->> 'field' in ('display_name', 'first_name', 'last_name', 'organization', 'job_title', 'status', 'source', 'external_id')
            -- Custom field keys as import-contacts makes them: a-z, digits, _ and -, and the
            -- letters of other scripts (any character past ASCII: no locale decides it).
            or rule ->> 'field' ~ '^metadata\.([A-Za-z0-9_\-]|[^\x01-\x7f]){1,64}$' then
            (rule ->> 'op' in ('equals', 'not_equals', 'contains', 'starts_with') and jsonb_typeof(rule -> 'value') = 'string')
            or (rule ->> 'op' = 'in' and jsonb_typeof(rule -> 'value') = 'array' and jsonb_array_length(rule -> 'value') between 1 and 100)
            or (rule ->> 'op' in ('is_empty', 'not_empty') and not rule ? 'value')
          else false
        end, false))
      from jsonb_array_elements(criteria -> 'rules') as rules (rule)
    ),
    false)
$$;
comment on function public.is_valid_smart_group_criteria(jsonb) is 'True when a smart group''s criteria follow the documented shape (match all/any, 1 to 50 rules of known fields and operators; custom field keys in any script).';
