{#
    The body of a `base_<entity>` model: every landed row of one entity, typed, with the
    outcome of the contract's checks. Generated from the column `data_type` and `meta` of
    the landing source (models/staging/_sources.yml), so the contract is written once.

    One output row per landed row:
      <contract columns>  typed values (defaults applied)
      row_outcome         'staged', 'duplicate' (an exact copy of a staged row, dropped)
                          or 'rejected'
      reject_reason       first failing rule, in this order: missing_key,
                          missing_required:<column>, unparseable:<column>,
                          out_of_range:<column> (the row rules, on the row alone), then the
                          key rules: duplicate_conflict, and for a reference
                          (order_items.order_id) <order>_rejected:<the order's reason> when
                          the referenced row was rejected, orphan when it was never landed
      raw_values          for a row rule's reject the landed values as JSON text; for a key
                          rule's reject (the row itself was valid) its typed values as text
      _source_file, _source_row   where the row came from
      _landed_fingerprint, _landed_row   the landed file's fingerprint and the row in it

    Staged by landed file (an incremental model, strategy `landed_files`): a run types and
    checks only the rows of files whose fingerprint (ops.landed_files) it has not staged;
    the rows of files no longer landed (removed, or re-landed with other content) are
    deleted. The key rules are then re-run for the keys those files touch, over every
    staged row with such a key, so a new file can make an old row a duplicate or a
    conflict and a removed one can undo it. For a reference, the rows whose referenced key
    changed outcome are re-run too. `--full-refresh` stages every file again and gives the
    same table.
#}
{% macro validate_landing(entity) %}
    {%- set relation = source('landing', entity) -%}
    {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', 'landing')
        | selectattr('name', 'equalto', entity) | first if execute else none -%}
    {%- if not execute -%}
        select 1 as placeholder from {{ relation }}
    {%- else -%}
    {%- set columns = node.columns.values() | list -%}
    {%- set grain = node.meta.get('grain', []) -%}
    {%- set references = node.meta.get('references', {}) -%}
    {%- set incremental = is_incremental() and landing_staged_by_file(this) -%}
    {%- set scan = landing_files_to_stage(node, this if incremental else none) -%}
    {%- set landed_types = {} -%}
    {%- for landed in run_query('describe ' ~ scan) -%}
        {%- do landed_types.update({landed[0]: landed[1] | lower}) -%}
    {%- endfor %}

with

landed as (
    select
        scanned.*,
        landed_files.fingerprint as _landed_fingerprint
    from ({{ scan }}) as scanned
    inner join ops.landed_files as landed_files
        on scanned._landed_file = landed_files.landed_file
),

cleaned as (
    -- text is trimmed and blanks become null; values landed already typed pass as they are
    select
        _source_file,
        _source_row,
        _landed_fingerprint,
        _landed_row,
        {%- for column in columns %}
        {{ landing_cleaned_value(column, landed_types.get(column.name, 'varchar')) }}
            as {{ column.name }}__raw{{ ',' if not loop.last }}
        {%- endfor %}
    from landed
),

typed as (
    select
        *,
        {%- for column in columns %}
        {{ landing_typed_value(column, grain, landed_types.get(column.name, 'varchar')) }} as {{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from cleaned
),

checked as {{ materialized_cte() }} (
    select
        *,
        {{ landing_row_rules(columns, grain) }} as check_failure
    from typed
),
{%- set row_columns = columns | map(attribute='name') | list
    + ['_source_file', '_source_row', '_landed_fingerprint', '_landed_row'] %}
{% if incremental %}

current_files as (
    select fingerprint from ops.landed_files where entity = {{ sql_string(entity) }}
),

staged_before as {{ inlined_cte() }} (
    select * from {{ this }}
),

kept as {{ inlined_cte() }} (
    -- rows staged by earlier runs from files that are still landed, unchanged
    select * from staged_before
    where _landed_fingerprint in (select fingerprint from current_files)
),
{%- if references %}

reference_changed as (
    -- kept rows that passed the row rules and whose referenced key changed outcome
    select kept.{{ grain | join(', kept.') }}
    from kept
    {{ landing_reference_joins('kept', references) }}
    where
        not {{ landing_is_row_rule('kept.reject_reason') }}
        and kept.reject_reason is distinct from 'duplicate_conflict'
        and {{ landing_reference_failure('kept', references) }}
        is distinct from kept.reject_reason
),
{%- endif %}

touched_keys as {{ materialized_cte() }} (
    -- the keys of new rows and of removed rows: their key rules are run again
    select distinct {{ grain | join(', ') }} from (
        select {{ grain | join(', ') }} from checked where check_failure is null
        union all
        select {{ grain | join(', ') }} from staged_before
        where
            _landed_fingerprint not in (select fingerprint from current_files)
            and not {{ landing_is_row_rule('reject_reason') }}
        {%- if references %}
        union all
        select {{ grain | join(', ') }} from reference_changed
        {%- endif %}
    ) as touched
),

candidates as {{ materialized_cte() }} (
    -- read three times below, and small: the new rows and the kept rows of touched keys
    select {{ row_columns | join(', ') }} from checked where check_failure is null

    union all

    select kept.{{ row_columns | join(', kept.') }}
    from kept
    inner join touched_keys
        on {% for column in grain -%}
            kept.{{ column }} is not distinct from touched_keys.{{ column }}
            {%- if not loop.last %} and {% endif %}
        {%- endfor %}
    where not {{ landing_is_row_rule('kept.reject_reason') }}
),
{% else %}

candidates as (
    select {{ row_columns | join(', ') }} from checked where check_failure is null
),
{% endif %}

repeated_keys as (
    -- the hash of every key that more than one candidate row has: mostly none. An
    -- aggregate over one hash is far cheaper than a window over the key's columns (at
    -- 8.9M rows: 40 % less CPU and half the memory); a hash collision only sends rows
    -- with different keys to the exact comparison below, which sorts them out
    select {{ landing_key_hash(grain) }} as key_hash
    from candidates
    group by 1
    having count(*) > 1
),

compared as (
    -- where a key repeats: exact copies (the first in file order is kept) and keys with
    -- differing content; the windows over the key and every column run on those rows only
    select
        *,
        row_number() over (
            partition by {{ columns | map(attribute='name') | join(', ') }}
            order by _source_file, _source_row, _landed_fingerprint, _landed_row
        ) as copy_number,
        count(*) over (partition by {{ grain | join(', ') }})
        > count(*) over (partition by {{ columns | map(attribute='name') | join(', ') }})
            as has_conflicting_copy
    from candidates
    where {{ landing_key_hash(grain) }} in (select key_hash from repeated_keys)

    union all

    select
        *,
        1 as copy_number,
        false as has_conflicting_copy
    from candidates
    where {{ landing_key_hash(grain) }} not in (select key_hash from repeated_keys)
),

outcomes as (
    select
        compared.*,
        case
            when compared.has_conflicting_copy then 'duplicate_conflict'
            {%- if references %}
            else {{ landing_reference_failure('compared', references) }}
            {%- endif %}
        end as key_failure
    from compared
    {{ landing_reference_joins('compared', references) }}
),

final as (
    select
        {%- for column in columns %}
        {{ column.name }},
        {%- endfor %}
        case
            when key_failure is not null then 'rejected'
            when copy_number > 1 then 'duplicate'
            else 'staged'
        end as row_outcome,
        key_failure as reject_reason,
        case when key_failure is not null then {{ landing_raw_json(columns, '') }} end
            as raw_values,
        _source_file,
        _source_row,
        _landed_fingerprint,
        _landed_row
    from outcomes

    union all

    select
        {%- for column in columns %}
        {{ column.name }},
        {%- endfor %}
        'rejected' as row_outcome,
        check_failure as reject_reason,
        {{ landing_raw_json(columns) }} as raw_values,
        _source_file,
        _source_row,
        _landed_fingerprint,
        _landed_row
    from checked
    where check_failure is not null
)

select * from final
    {%- endif -%}
{% endmacro %}


{#-
    The scan (SQL) of the entity's landed files that this run stages: every file, or with
    `staged` (the model's existing table) only the files whose fingerprint it lacks. The
    on-run-start hook record_landed_files lists them; a compile without a run (no
    ops.landed_files yet) scans every file.
-#}
{% macro landing_files_to_stage(source, staged=none) %}
    {%- if adapter.get_relation(database=target.database, schema='ops', identifier='landed_files') is none -%}
        {#- compiled without a run (dbt compile, docs, lint before any build): every file -#}
        {{ return(landing_glob_scan(source) or landing_scan_sql(source, none, none, false)) }}
    {%- endif -%}
    {%- set query -%}
        select landed_file from ops.landed_files
        where entity = {{ sql_string(source.name) }}
        {%- if staged is not none %}
            and fingerprint not in (select distinct _landed_fingerprint from {{ staged }})
        {%- endif %}
        order by landed_file
    {%- endset -%}
    {%- set files = run_query(query).columns[0].values() | list -%}
    {%- set all_files = run_query('select landed_file from ops.landed_files where entity = '
        ~ sql_string(source.name)).columns[0].values() | list -%}
    {%- set parquet = [] -%}{%- set csv = [] -%}{%- set kinds = [] -%}
    {%- for file in all_files -%}
        {%- do kinds.append('parquet' if file.endswith('.parquet') else 'csv') -%}
    {%- endfor -%}
    {%- for file in files -%}
        {%- do (parquet if file.endswith('.parquet') else csv).append(file) -%}
    {%- endfor -%}
    {%- set as_text = 'parquet' in kinds and 'csv' in kinds -%}
    {{ return(landing_scan_sql(
        source,
        landing_sql_list(parquet) if parquet else none,
        landing_sql_list(csv) if csv else none,
        as_text,
    )) }}
{% endmacro %}


{#- A list of SQL strings: ['a', 'b']. -#}
{% macro landing_sql_list(values) -%}
    [{% for value in values %}{{ sql_string(value) }}{{ ', ' if not loop.last }}{% endfor %}]
{%- endmacro %}


{#- Whether the model's table was staged by landed file (built by this version). -#}
{% macro landing_staged_by_file(relation) %}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {{ return('_landed_fingerprint' in names) }}
{% endmacro %}


{#- The first row rule a row breaks (null when none): see validate_landing. -#}
{% macro landing_row_rules(columns, grain) -%}
        case
            {%- for column in columns if column.name in grain and column.meta.get('required')
                and column.meta.get('default') is none %}
            when {{ column.name }}__raw is null then 'missing_key'
            {%- endfor %}
            {%- for column in columns if column.name not in grain
                and column.meta.get('required') and column.meta.get('default') is none %}
            when {{ column.name }}__raw is null then 'missing_required:{{ column.name }}'
            {%- endfor %}
            {%- for column in columns if column.meta.get('required_in_file') %}
            when {{ column.name }}__raw is null
                and count({{ column.name }}__raw) over (partition by _source_file) > 0
                then 'missing_required:{{ column.name }}'
            {%- endfor %}
            {%- for column in columns %}
            when {{ column.name }}__raw is not null and {{ column.name }} is null
                then 'unparseable:{{ column.name }}'
            {%- endfor %}
            {%- for column in columns if landing_range_condition(column) %}
            when {{ landing_range_condition(column) }} then 'out_of_range:{{ column.name }}'
            {%- endfor %}
        end
{%- endmacro %}


{#- Whether a reject reason is a row rule's (true) rather than a key rule's or none (false). -#}
{% macro landing_is_row_rule(reason) -%}
    coalesce(
        {{ reason }} like 'missing\_%' escape '\'
        or {{ reason }} like 'unparseable:%'
        or {{ reason }} like 'out\_of\_range:%' escape '\',
        false
    )
{%- endmacro %}


{#- Joins of `rows` to each referenced entity's rejected keys. -#}
{% macro landing_reference_joins(rows, references) -%}
    {%- for column, parent in references.items() %}
    left join (
        -- the parent's rows with this key were all rejected: the first reason says why
        select
            {{ column }},
            min(reject_reason) as reject_reason
        from {{ ref('base_' ~ parent) }}
        where row_outcome = 'rejected' and {{ column }} is not null
        group by {{ column }}
    ) as parent_rejected_{{ loop.index }}
        on {{ rows }}.{{ column }} = parent_rejected_{{ loop.index }}.{{ column }}
    {%- endfor %}
{%- endmacro %}


{#-
    The reference rule's failure for `rows` over landing_reference_joins (null when it
    passes): the key is not among the parent's staged keys. An `in` over the parent's
    keys is a hash join on them as they are; a join to their distinct values would
    first aggregate them (at 4.4M orders, 60 % more CPU).
-#}
{% macro landing_reference_failure(rows, references) -%}
    case
        {%- for column, parent in references.items() %}
        when not coalesce(
            {{ rows }}.{{ column }} in (select {{ column }} from {{ ref('stg_' ~ parent) }}), false
        )
            then coalesce(
                '{{ column | replace("_id", "") }}_rejected:'
                || parent_rejected_{{ loop.index }}.reject_reason,
                'orphan'
            )
        {%- endfor %}
    end
{%- endmacro %}


{#-
    The incremental strategy of the base models (config incremental_strategy:
    landed_files): delete the rows of files no longer landed (their fingerprint is not in
    ops.landed_files) and the rows the run recomputed, then insert the run's rows. Runs
    in the model's transaction: a killed run leaves the table as it was.
-#}
{% macro get_incremental_landed_files_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set new_rows = arg_dict['temp_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    delete from {{ target }}
    where _landed_fingerprint not in (select fingerprint from ops.landed_files);

    delete from {{ target }} as staged
    using {{ new_rows }} as new_rows
    where
        staged._landed_fingerprint = new_rows._landed_fingerprint
        and staged._landed_row = new_rows._landed_row;

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ new_rows }}
{% endmacro %}


{#- Trimmed text with blanks as null; typed landed values unchanged. -#}
{% macro landing_cleaned_value(column, landed_type) -%}
    {%- if landed_type in ('varchar', 'text', 'string') or landed_type.startswith('varchar') -%}
        {%- set value = "nullif(trim(" ~ adapter.quote(column.name) ~ "), '')" -%}
        {%- if column.meta.get('lowercase') or column.meta.get('accepted_values') -%}
            {%- set value = 'lower(' ~ value ~ ')' -%}
        {%- endif -%}
        {{ value }}
    {%- else -%}
        {{ adapter.quote(column.name) }}
    {%- endif -%}
{%- endmacro %}


{#-
    The typed value: cast, or the column's default when blank. Landed text must look
    like a number of the column's kind before it is cast: DuckDB's cast would round
    '1.5' to the integer 2 and read '0x10' as 16 or '1_000' as 1000, silently changing
    the user's figure; such values are unparseable instead.
-#}
{% macro landing_typed_value(column, grain, landed_type='varchar') -%}
    {%- set raw = column.name ~ '__raw' -%}
    {%- set cast = 'try_cast(' ~ raw ~ ' as ' ~ column.data_type ~ ')' -%}
    {%- set pattern = landing_number_pattern(column.data_type) -%}
    {%- if pattern and (landed_type in ('varchar', 'text', 'string')
        or landed_type.startswith('varchar')) -%}
        {%- set cast = 'case when regexp_full_match(' ~ raw ~ ", '" ~ pattern ~ "') then "
            ~ cast ~ ' end' -%}
    {%- endif -%}
    {%- set default = column.meta.get('default') -%}
    {%- if default is none -%}
        {{ cast }}
    {%- elif default == 'row_order' -%}
        {%- set partition = ['_source_file'] -%}
        {%- for other in grain if other != column.name -%}
            {%- do partition.append(other ~ '__raw') -%}
        {%- endfor -%}
        case when {{ raw }} is null then cast(row_number() over (
            partition by {{ partition | join(', ') }}
            order by _source_file, _source_row
        ) as {{ column.data_type }}) else {{ cast }} end
    {%- else -%}
        coalesce({{ cast }}, case when {{ raw }} is null then {{ default }} end)
    {%- endif -%}
{%- endmacro %}


{#-
    The text a number of the type may be landed as: an integer with at most a zero
    fraction ('3', '3.0'), a decimal with an optional exponent; none for other types.
    Ingest's report and the landing suites render this macro too (customer360.staging_rules).
-#}
{% macro landing_number_pattern(data_type) -%}
    {%- set base = data_type | lower -%}
    {%- if base.startswith('integer') or base.startswith('bigint') -%}
        [+-]?[0-9]+([.]0*)?
    {%- elif base.startswith('decimal') or base.startswith('double') -%}
        [+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?
    {%- endif -%}
{%- endmacro %}


{#- The condition under which a typed value breaks the column's range or value set. -#}
{% macro landing_range_condition(column) -%}
    {%- set meta = column.meta -%}
    {%- set conditions = [] -%}
    {%- if meta.get('accepted_values') -%}
        {%- set quoted = [] -%}
        {%- for value in meta['accepted_values'] -%}{%- do quoted.append(sql_string(value)) -%}{%- endfor -%}
        {%- do conditions.append(column.name ~ ' not in (' ~ quoted | join(', ') ~ ')') -%}
    {%- endif -%}
    {%- if meta.get('signed_return') -%}
        {%- do conditions.append(column.name ~ ' = 0') -%}
    {%- endif -%}
    {%- if meta.get('min_value') is not none -%}
        {%- do conditions.append(column.name ~ (' <= ' if meta.get('min_exclusive') else ' < ')
            ~ meta['min_value']) -%}
    {%- endif -%}
    {%- if meta.get('max_value') is not none -%}
        {%- do conditions.append(column.name ~ ' > ' ~ meta['max_value']) -%}
    {%- endif -%}
    {{ conditions | join(' or ') }}
{%- endmacro %}


{#- The landed values of a row as JSON text (for reject rows); suffix '' for the typed values. -#}
{% macro landing_raw_json(columns, suffix='__raw') -%}
    {{ return(adapter.dispatch('landing_raw_json', 'customer360')(columns, suffix)) }}
{%- endmacro %}

{% macro default__landing_raw_json(columns, suffix='__raw') -%}
    cast(to_json(struct_pack(
        {%- for column in columns %}
        {{ column.name }} := cast({{ column.name }}{{ suffix }} as varchar){{ ',' if not loop.last }}
        {%- endfor %}
    )) as varchar)
{%- endmacro %}


{#-
    The raw values of a reject as BI may see them (marts.rejected_rows): the JSON of
    `landing_raw_json` with every column marked `pii` in the contract replaced by a marker
    naming the private table that has the value, so a reader learns that an e-mail was
    landed, not which; a blank personal value stays null. Other columns are unchanged. The
    full values stay in staging.base_<entity>, in the private build file.
-#}
{% macro landing_raw_json_without_pii(entity, raw_json='raw_values') -%}
    {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', 'landing')
        | selectattr('name', 'equalto', entity) | first if execute else none -%}
    {%- set columns = node.columns.values() | list if node else [] -%}
    {%- set personal = columns | selectattr('meta.pii') | list -%}
    {%- if not personal -%}
        {{ raw_json }}
    {%- else -%}
        {%- set base = ref('base_' ~ entity) -%}
        {%- set marker = sql_string('(personal, see ' ~ base.schema ~ '.' ~ base.identifier ~ ')') -%}
        case when {{ raw_json }} is not null then cast(to_json(struct_pack(
            {%- for column in columns %}
            {%- set value = 'json_extract_string(' ~ raw_json ~ ", " ~ sql_string('$."' ~ column.name ~ '"') ~ ')' %}
            {{ column.name }} := {% if column.meta.get('pii') -%}
                case when {{ value }} is not null then {{ marker }} end
            {%- else -%}
                {{ value }}
            {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}
        )) as varchar) end
    {%- endif -%}
{%- endmacro %}


{#
    `materialized` for a CTE that is read more than once, so the engine computes it once
    (DuckDB would otherwise inline it into every reader: 3.5x slower on 6.7M rows). Empty
    on engines without the keyword.
#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'customer360')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}{%- endmacro %}

{% macro duckdb__materialized_cte() -%}materialized{%- endmacro %}


{#- One hash of a row's key columns (a null column hashes too), for finding repeated keys. -#}
{% macro landing_key_hash(columns) -%}
    {{ return(adapter.dispatch('landing_key_hash', 'customer360')(columns)) }}
{%- endmacro %}

{% macro default__landing_key_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}


{#-
    `not materialized` for a CTE that is read more than once but is only a filter of a
    table, so the engine scans the table for each reader instead of copying it first
    (DuckDB materializes such CTEs by default: a copy of every staged row). Empty on
    engines without the keyword.
-#}
{% macro inlined_cte() -%}
    {{ return(adapter.dispatch('inlined_cte', 'customer360')()) }}
{%- endmacro %}

{% macro default__inlined_cte() -%}{%- endmacro %}

{% macro duckdb__inlined_cte() -%}not materialized{%- endmacro %}
