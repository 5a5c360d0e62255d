{#
    Incremental builds with a look-back window (see the docs block `incremental_lookback`).

    window start = the day of the newest `ordered_at` already in the target
                   minus var `incremental_lookback_days`

    An incremental model filters its input to the window with `lookback_filter()`, and
    the strategy `lookback_merge` makes the target's window equal to what the run produced:

        {{ config(materialized='incremental', incremental_strategy='lookback_merge',
                  unique_key=['order_id', 'line_number'],
                  lookback_history='fct_order_lines_history') }}
        ...
        from order_items
        {{ lookback_filter('ordered_at') }}

    Rows outside the window are not rewritten while they still match the model's inputs
    (config `lookback_history`: a macro returning the inputs' select); when they do not
    (rows landed with an older time, a replaced landing zone), the window start is none
    and the run rebuilds the whole table.

    Config `lookback_time_column` names the target's column the window is measured on
    when it differs from the input's (fct_device_sessions: `last_logged_at` for its logs'
    `logged_at`); config `lookback_history_skips_recomputed` leaves out of the guard the
    built rows the run recomputes (a session that now crosses the window start).
#}


{#- The window start as a SQL date literal, or none when the target holds no rows yet
    or (with `guard`) when its rows before the start no longer match the model's inputs:
    then the window is everything. Read from the target before the run changes it. -#}
{% macro lookback_window_start(relation=none, time_column='ordered_at', guard=true) %}
    {%- set relation = relation or this -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set result = run_query(
        'select cast(max(' ~ adapter.quote(time_column) ~ ') as date) - '
        ~ (var('incremental_lookback_days') | int)
        ~ ' from ' ~ relation
    ) -%}
    {%- set start = result.columns[0].values()[0] -%}
    {%- if start is none -%}{{ return(none) }}{%- endif -%}
    {%- set start = "date '" ~ start ~ "'" -%}
    {%- set history = config.get('lookback_history') -%}
    {%- if guard and history and not lookback_history_matches(
        relation, time_column, start, context[history]()
    ) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(start) }}
{% endmacro %}


{#- Whether the rows before the window start are still what the model's inputs give:
    the same count and the same hash of `history_sql`'s columns (which must have the
    model's column types: a hash depends on the type). A mismatch means data was landed,
    corrected or removed before the window (or the landing zone was replaced): the run
    then rebuilds the whole table instead of the window, so it never keeps stale rows. -#}
{% macro lookback_history_matches(relation, time_column, start, history_sql) %}
    {%- set columns = run_query('select * from (' ~ history_sql ~ ') limit 0').column_names -%}
    {%- set fingerprint -%}
        row(count(*), coalesce(sum(hash(
        {%- for column in columns %}{{ adapter.quote(column) }}{{ ', ' if not loop.last }}{% endfor -%}
        )), 0))
    {%- endset -%}
    {%- set built -%}
        {%- if config.get('lookback_history_skips_recomputed') -%}
            {#- rows whose key the inputs now place in the window are recomputed by this
                run (a session crossing the window start), so they are not compared -#}
            {%- set key = config.get('unique_key') -%}
            {%- set keys = [key] if key is string else key -%}
            (select built.* from {{ relation }} as built
            left join (
                select distinct {{ keys | join(', ') }}
                from ({{ history_sql }}) as inputs
                where {{ adapter.quote(time_column) }} >= {{ start }}
            ) as recomputed on
            {%- for key in keys %} built.{{ key }} = recomputed.{{ key }}{{ ' and' if not loop.last }}{% endfor %}
            where recomputed.{{ keys[0] }} is null) as built
        {%- else -%}
            {{ relation }}
        {%- endif -%}
    {%- endset -%}
    {%- set result = run_query(
        'select (select ' ~ fingerprint ~ ' from (' ~ history_sql ~ ') as inputs where '
        ~ adapter.quote(time_column) ~ ' < ' ~ start ~ ') = (select ' ~ fingerprint
        ~ ' from ' ~ built ~ ' where ' ~ adapter.quote(time_column) ~ ' < ' ~ start ~ ')'
    ) -%}
    {%- set matches = result.columns[0].values()[0] -%}
    {%- if not matches -%}
        {{ log(relation.schema ~ "." ~ relation.identifier ~ ": rows before the look-back window ("
            ~ start ~ ") differ from the "
            ~ "model's inputs; rebuilding the whole table", info=true) }}
    {%- endif -%}
    {{ return(matches) }}
{% endmacro %}


{#- `where <time_column> >= <window start>` in an incremental run; nothing otherwise. When
    the guard finds the rows before the window changed, the filter is replaced by a marker
    comment that tells the strategy to make the whole table equal to the new rows.
    The window start is read from the target's config `lookback_time_column` when the
    model sets it (a session's `last_logged_at` for its logs' `logged_at`), else from
    the target's `time_column`. -#}
{% macro lookback_filter(time_column='ordered_at') -%}
    {%- if is_incremental() -%}
        {%- set start = lookback_window_start(
            this, config.get('lookback_time_column', time_column)
        ) -%}
        {%- if start is not none %}
    where {{ time_column }} >= {{ start }}
        {%- else %}
    {{ lookback_whole_table_marker() }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{%- macro lookback_whole_table_marker() -%}
/* lookback_merge: whole table */
{%- endmacro %}


{#-
    The strategy, called by dbt-duckdb's incremental materialization with the model's
    new rows in `temp_relation`. One MERGE on the unique key, so dbt's `rows_affected`
    counts every row it changed:
      - a key in both with different values: updated (columns matched by name)
      - a new key: inserted
      - a target row inside the window that the run no longer produces: deleted
    Config `lookback_time_column` (default `ordered_at`) names the window's column.
-#}
{% macro get_incremental_lookback_merge_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set time_column = config.get('lookback_time_column', 'ordered_at') -%}
    {%- if not unique_key -%}
        {{ exceptions.raise_compiler_error(
            "Model " ~ this ~ ": incremental_strategy 'lookback_merge' needs a unique_key."
        ) }}
    {%- endif -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='name') | map('lower') | list -%}
    {%- set compared = [] -%}
    {%- for column in columns if column not in keys -%}
        {%- do compared.append(adapter.quote(column)) -%}
    {%- endfor -%}
    {#- the guard ran when the model SQL was compiled; it left a marker for a whole table -#}
    {%- if lookback_whole_table_marker() in model.compiled_code -%}
        {%- set start = none -%}
    {%- else -%}
        {%- set start = lookback_window_start(target, time_column, guard=false) -%}
    {%- endif -%}
    merge into {{ target }} as dbt_internal_dest
    using {{ source }} as dbt_internal_source
    on (
        {%- for key in keys %}
        dbt_internal_source.{{ adapter.quote(key) }} = dbt_internal_dest.{{ adapter.quote(key) }}
        {{- ' and' if not loop.last }}
        {%- endfor %}
    )
    {%- if compared %}
    when matched and (
        row(dbt_internal_dest.{{ compared | join(', dbt_internal_dest.') }})
        is distinct from
        row(dbt_internal_source.{{ compared | join(', dbt_internal_source.') }})
    ) then update by name
    {%- endif %}
    when not matched by target then insert by name
    when not matched by source
        {%- if start is not none %}
        and dbt_internal_dest.{{ adapter.quote(time_column) }} >= {{ start }}
        {%- endif %}
        then delete
{% endmacro %}
