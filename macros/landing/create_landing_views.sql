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
      _landed_file, _landed_row   the landed file and the row in it (staging keys its
                    rows by these and the file's fingerprint, see landed_files.sql)
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
    {%- set scan = landing_glob_scan(source) -%}
    {%- if scan is none and source.meta.get('required_entity') -%}
        {{ exceptions.raise_compiler_error(
            "No files landed for the required entity '" ~ source.name ~ "' in "
            ~ var('landing_dir') ~ '/' ~ source.name ~ ". Land data first: `customer360 demo` "
            ~ "for demo data, or `customer360 ingest FILE --entity " ~ source.name
            ~ "` for your own file."
        ) }}
    {%- endif -%}
    create or replace view landing.{{ adapter.quote(source.name) }} as
    {{ scan if scan is not none else landing_scan_sql(source, none, none, false) }}
{% endmacro %}


{#- The scan of every file in the entity's landing folder; none without files. -#}
{% macro landing_glob_scan(source) %}
    {%- set folder = var('landing_dir') ~ '/' ~ source.name -%}
    {%- set parquet_glob = folder ~ '/*.parquet' -%}
    {%- set csv_glob = folder ~ '/*.csv' -%}
    {%- set parquet = sql_string(parquet_glob) if landing_has_files(parquet_glob) else none -%}
    {%- set csv = sql_string(csv_glob) if landing_has_files(csv_glob) else none -%}
    {%- if parquet is none and csv is none -%}{{ return(none) }}{%- endif -%}
    {{ return(landing_scan_sql(source, parquet, csv, parquet is not none and csv is not none)) }}
{% endmacro %}


{#-
    The rows of an entity's landed files with where each came from: `parquet` and `csv`
    are what read_parquet / read_csv take (a glob or a list of paths, as SQL) or none.
    Every column is text when `as_text` (an entity landed both as Parquet and as CSV).
    Adds `_landed_file` (the landed file's path) and `_landed_row` (the row in it) to
    `_source_file` and `_source_row`. Without files: no rows, every column text.
-#}
{% macro landing_scan_sql(source, parquet, csv, as_text) %}
    {%- set columns = source.columns.keys() | list -%}
    {%- set parts = [] -%}
    {%- if parquet is not none -%}
        {%- set scan = "read_parquet(" ~ parquet
            ~ ", union_by_name = true, filename = true, file_row_number = true)" -%}
        {%- do parts.append(landing_select(scan, columns, 'file_row_number + 1', as_text)) -%}
    {%- endif -%}
    {%- if csv is not none -%}
        {%- set scan = "(select *, row_number() over (partition by filename) + 1 as landed_row"
            ~ " from read_csv(" ~ csv
            ~ ", header = true, all_varchar = true, union_by_name = true, filename = true))" -%}
        {%- do parts.append(landing_select(scan, columns, 'landed_row', as_text)) -%}
    {%- endif -%}
    {%- if parts | length == 0 -%}
        {%- set empty_columns = [] -%}
        {%- for column in columns -%}
            {%- do empty_columns.append('cast(null as varchar) as ' ~ adapter.quote(column)) -%}
        {%- endfor -%}
        {%- do parts.append(
            'select ' ~ empty_columns | join(', ')
            ~ ', cast(null as varchar) as _source_file, cast(null as bigint) as _source_row'
            ~ ', cast(null as varchar) as _landed_file, cast(null as bigint) as _landed_row'
            ~ ' where false'
        ) -%}
    {%- endif -%}
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
    {%- do selected.append('filename as _landed_file') -%}
    {%- do selected.append('cast(' ~ row_number_expression ~ ' as bigint) as _landed_row') -%}
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
