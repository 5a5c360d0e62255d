{#
    Incremental builds that recompute whole keys from a look-back window (docs block
    `incremental_lookback`). A model whose rows of one key depend on each other (one
    customer's purchases with their running totals and gaps, one customer's totals)
    cannot merge row by row: a new purchase changes the previous purchase's next purchase
    and every total. Such a model reads only the keys the window touches, all of their
    input rows, and the strategy `lookback_recompute` replaces the target's rows of those
    keys:

        {{ config(materialized='incremental', incremental_strategy='lookback_recompute',
                  recompute_key='customer_id', lookback_time_column='last_ordered_at',
                  lookback_history='int_customer_order_totals_history') }}
        {%- set window_start = lookback_recompute_start() %}
        with
        orders as (
            select * from {{ ref('fct_orders') }}
            {{- lookback_keys_filter(window_start) }}
        ),
        fingerprints as (
            {{ lookback_key_fingerprints(window_start, 'customer_id') }}
        ),
        ...

    Config:
      recompute_key          the key whose rows are recomputed together (customer_id)
      lookback_history       a macro returning every input row the model reads, as
                             (key, `ordered_at`, the input's columns): the keys the window
                             touches and the fingerprints are read from it
      lookback_time_column   the target's time column the window is measured on (default
                             `ordered_at`): a customer's `last_ordered_at`, say

    The window start is the day of the newest value of the target's time column minus var
    `incremental_lookback_days`. The keys a run recomputes: those with an input row on or
    after it (new, changed or late orders) and those with a built row on or after it (an
    order that is no longer produced, a purchase now after a moved as-of date).

    The guard. Every built row carries `input_fingerprint`, a hash of all the input rows
    of its key (`lookback_key_fingerprints`). Before a run recomputes the touched keys it
    checks that the input rows of every other key still hash to what was built; when they
    do not (an order landed or corrected before the window, a removed file, a changed
    non-product rule, an as-of date moved back) the run rebuilds the whole table.
#}




{#- The window start as a SQL date literal; none in a full build and in a whole-table run
    (the target is empty, or the guard found the input rows of an untouched key changed).
    A model reads it once, `{%- set window_start = lookback_recompute_start() %}`, and
    passes it to `lookback_keys_filter` and `lookback_key_fingerprints`. -#}
{% macro lookback_recompute_start() %}
    {%- if not lookback_is_incremental() -%}{{ return(none) }}{%- endif -%}
    {%- set start = lookback_window_start(
        this, config.get('lookback_time_column', 'ordered_at'), guard=false
    ) -%}
    {%- if start is none or lookback_fingerprints_match(start) -%}
        {{ return(start) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{#- is_incremental(), false in a dbt unit test (which has no `this` to read) -#}
{% macro lookback_is_incremental() %}
    {{ return(this is not none and is_incremental()) }}
{% endmacro %}


{#- The keys a run from `start` recomputes, as a select of the key column. -#}
{% macro lookback_touched_keys(start) -%}
    {%- set key = config.get('recompute_key') -%}
    select inputs.{{ key }} from ({{ lookback_history_sql() }}) as inputs
    where inputs.ordered_at >= {{ start }}
    union
    select built.{{ key }} from {{ this }} as built
    where built.{{ config.get('lookback_time_column', 'ordered_at') }} >= {{ start }}
{%- endmacro %}


{#- The guard: the input rows of the keys the run does not recompute hash to the sum of
    those keys' built fingerprints. -#}
{% macro lookback_fingerprints_match(start) %}
    {%- set key = config.get('recompute_key') -%}
    {%- set modulus = 9223372036854775783 -%}
    {%- set sql -%}
        with touched as (
            {{ lookback_touched_keys(start) }}
        ),

        inputs as (
            select coalesce(sum({{ lookback_row_hash('history') }}) % {{ modulus }}, 0) as fingerprint
            from ({{ lookback_history_sql() }}) as history
            left join touched on history.{{ key }} = touched.{{ key }}
            where touched.{{ key }} is null
        ),

        built_keys as (
            select built.{{ key }}, max(built.input_fingerprint) as input_fingerprint
            from {{ this }} as built
            left join touched on built.{{ key }} = touched.{{ key }}
            where touched.{{ key }} is null
            group by built.{{ key }}
        ),

        built as (
            select coalesce(sum(input_fingerprint) % {{ modulus }}, 0) as fingerprint
            from built_keys
        )

        select inputs.fingerprint = built.fingerprint from inputs cross join built
    {%- endset -%}
    {%- set matches = run_query(sql).columns[0].values()[0] -%}
    {%- if not matches -%}
        {{ log(this.schema ~ "." ~ this.identifier ~ ": inputs of customers outside the "
            ~ "look-back window (" ~ start ~ ") differ from what was built; rebuilding "
            ~ "the whole table", info=true) }}
    {%- endif -%}
    {{ return(matches) }}
{% endmacro %}


{%- macro lookback_history_sql() -%}
    {#- configs from the yml are not known while dbt parses the SQL -#}
    {%- if not execute -%}{{ return('select null') }}{%- endif -%}
    {%- set history = config.get('lookback_history') -%}
    {%- if not history or not config.get('recompute_key') -%}
        {{ exceptions.raise_compiler_error(
            "Model " ~ this ~ ": incremental_strategy 'lookback_recompute' needs configs "
            ~ "recompute_key (the column whose rows are recomputed together) and "
            ~ "lookback_history (a macro returning the model's input rows)."
        ) }}
    {%- endif -%}
    {{ return(context[history]()) }}
{%- endmacro -%}


{#- In an import CTE: `where <key> in (the keys the window touches)` in an incremental
    run from `start`, nothing in a full build, the whole-table marker in a whole-table run.
    `column` is the key's name in the input (default: the recompute_key). -#}
{% macro lookback_keys_filter(start, column=none) -%}
    {%- if lookback_is_incremental() -%}
        {%- if start is not none %}
    where {{ column or config.get('recompute_key') }} in (
        {{ lookback_touched_keys(start) }}
    )
        {%- else %}
    {{ lookback_whole_table_marker() }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- One row per key the run computes: the key and `input_fingerprint`, the hash of all of
    its input rows (config lookback_history), which the guard of the next run compares.
    Join it on `key` with a left join: a dbt unit test has no configs and so no inputs to
    hash, and gets no rows. -#}
{% macro lookback_key_fingerprints(start, key) -%}
    {%- if this is none -%}
    select null as {{ key }}, cast(null as bigint) as input_fingerprint
    where false
    {%- else -%}
    select
        history.{{ key }},
        cast(sum({{ lookback_row_hash('history') }}) % 9223372036854775783 as bigint)
            as input_fingerprint
    from ({{ lookback_history_sql() }}) as history
    {{- lookback_keys_filter(start, 'history.' ~ key) }}
    group by history.{{ key }}
    {%- endif -%}
{%- endmacro %}


{#- A 64-bit hash of `expressions` (a comma-separated list, or a row's alias for the whole
    row); DuckDB's hash() by default. -#}
{% macro lookback_row_hash(expressions) -%}
    {{ return(adapter.dispatch('lookback_row_hash', 'customer360')(expressions)) }}
{%- endmacro %}

{% macro default__lookback_row_hash(expressions) -%}hash({{ expressions }}){%- endmacro %}


{#-
    The strategy, called by dbt-duckdb's incremental materialization with the run's rows
    in `temp_relation`: delete the target's rows of every key the run recomputed (keys in
    the new rows, and built rows in the window), then insert the new rows. Both run in
    the model's transaction, so a killed run leaves the table as it was.
-#}
{% macro get_incremental_lookback_recompute_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set key = adapter.quote(config.get('recompute_key')) -%}
    {%- set time_column = config.get('lookback_time_column', 'ordered_at') -%}
    {%- if lookback_whole_table_marker() in model.compiled_code -%}
        {%- set start = none -%}
    {%- else -%}
        {%- set start = lookback_window_start(target, time_column, guard=false) -%}
    {%- endif -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    delete from {{ target }}
    {%- if start is not none %}
    where
        {{ key }} in (select {{ key }} from {{ source }})
        or {{ adapter.quote(time_column) }} >= {{ start }}
    {%- endif %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{% endmacro %}
