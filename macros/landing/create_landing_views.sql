{#
    on-run-start hook: expose every landing entity as a view `landing.<entity>`, the
    relation that `source('landing', <entity>)` names.

    The view reads every `*.parquet` and `*.csv` file in `<landing_dir>/<entity>/`, keeps
    the contract's columns (a column missing from the files becomes null, an extra column
    is ignored) and adds where each row came from:
      _source_file  the user's original file when `customer360 ingest` recorded it,
                    else the landed file
      _source_row   the row number in that file (ingest records the line a user sees;
                    for Parquet landed directly it is the row index + 1, for CSV the
                    data row + 1 for the header)
    An optional entity without files becomes an empty view with the same columns, so its
    models still build. A required entity without files stops the run with a message
    saying how to land data.
#}
{% macro create_landing_views() %}
    {% if execute %}
        {% do run_query('create schema if not exists landing') %}
        {% for source in graph.sources.values() if source.source_name == 'landing' %}
            {% do run_query(landing_view_sql(source)) %}
        {% endfor %}
    {% endif %}
{% endmacro %}


{% macro landing_view_sql(source) %}
    {%- set folder = var('landing_dir') ~ '/' ~ source.name -%}
    {%- set columns = source.columns.keys() | list -%}
    {%- set parts = [] -%}
    {%- set parquet_glob = folder ~ '/*.parquet' -%}
    {%- set csv_glob = folder ~ '/*.csv' -%}
    {%- set has_parquet = landing_has_files(parquet_glob) -%}
    {%- set has_csv = landing_has_files(csv_glob) -%}
    {%- set as_text = has_parquet and has_csv -%}
    {%- if has_parquet -%}
        {%- set scan = "read_parquet(" ~ sql_string(parquet_glob)
            ~ ", union_by_name = true, filename = true, file_row_number = true)" -%}
        {%- do parts.append(landing_select(scan, columns, 'file_row_number + 1', as_text)) -%}
    {%- endif -%}
    {%- if has_csv -%}
        {%- set scan = "(select *, row_number() over (partition by filename) + 1 as landed_row"
            ~ " from read_csv(" ~ sql_string(csv_glob)
            ~ ", header = true, all_varchar = true, union_by_name = true, filename = true))" -%}
        {%- do parts.append(landing_select(scan, columns, 'landed_row', as_text)) -%}
    {%- endif -%}
    {%- if parts | length == 0 -%}
        {%- if source.meta.get('required_entity') -%}
            {{ exceptions.raise_compiler_error(
                "No files landed for the required entity '" ~ source.name ~ "' in "
                ~ folder ~ ". Land data first: `customer360 demo` for demo data, or "
                ~ "`customer360 ingest FILE --entity " ~ source.name ~ "` for your own file."
            ) }}
        {%- endif -%}
        {%- set empty_columns = [] -%}
        {%- for column in columns -%}
            {%- do empty_columns.append('cast(null as varchar) as ' ~ adapter.quote(column)) -%}
        {%- endfor -%}
        {%- do parts.append(
            'select ' ~ empty_columns | join(', ')
            ~ ', cast(null as varchar) as _source_file, cast(null as bigint) as _source_row'
            ~ ' where false'
        ) -%}
    {%- endif -%}
    create or replace view landing.{{ adapter.quote(source.name) }} as
    {{ parts | join('\nunion all\n') }}
{% endmacro %}


{% macro landing_select(scan, columns, row_number_expression, as_text) %}
    {%- set present = run_query('select * from ' ~ scan ~ ' limit 0').column_names -%}
    {%- set selected = [] -%}
    {%- for column in columns -%}
        {%- if column in present -%}
            {%- set value = adapter.quote(column) -%}
            {%- if as_text -%}{%- set value = 'cast(' ~ value ~ ' as varchar)' -%}{%- endif -%}
        {%- else -%}
            {%- set value = 'cast(null as varchar)' -%}
        {%- endif -%}
        {%- do selected.append(value ~ ' as ' ~ adapter.quote(column)) -%}
    {%- endfor -%}
    {%- if '_source_file' in present -%}
        {%- do selected.append('coalesce(cast(_source_file as varchar), filename) as _source_file') -%}
    {%- else -%}
        {%- do selected.append('filename as _source_file') -%}
    {%- endif -%}
    {%- if '_source_row' in present -%}
        {%- do selected.append('coalesce(try_cast(_source_row as bigint), '
            ~ row_number_expression ~ ') as _source_row') -%}
    {%- else -%}
        {%- do selected.append('cast(' ~ row_number_expression ~ ' as bigint) as _source_row') -%}
    {%- endif -%}
    select {{ selected | join(', ') }} from {{ scan }}
{% endmacro %}


{% macro landing_has_files(pattern) %}
    {%- set result = run_query('select count(*) from glob(' ~ sql_string(pattern) ~ ')') -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{% endmacro %}


{#- A SQL string literal, with single quotes doubled. -#}
{% macro sql_string(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}
