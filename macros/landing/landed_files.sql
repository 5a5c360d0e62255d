{#
    on-run-start hook: `ops.landed_files`, one row per file in the landing zone's entity
    folders (`*.parquet`, `*.csv`), with its fingerprint. Staging compares these with the
    fingerprints it staged (`_landed_fingerprint` of every `base_<entity>` row) to type and
    check only new or changed files and to drop the rows of removed ones.

    Columns:
      entity         the entity folder
      landed_file    the file's path as the landing views read it
      size           bytes
      modified_at    the file's modification time
      content_md5    MD5 of the file's bytes
      fingerprint    MD5 of path, size and content_md5: a file re-landed with other
                     content is a new file; one rewritten with the same bytes is not

    A file is hashed only when it is new or its size or modification time changed since
    the last run; the others keep their recorded hash, so the hook reads only new bytes.
    The table is replaced in one statement: a killed run leaves the old table or the new.
#}
{% macro record_landed_files() %}
    {% if execute %}
        {% do run_query(landed_files_ddl()) %}
        {% set pattern = var('landing_dir') ~ '/*/*' %}
        {% set entities = landing_entities() %}
        {% set listing %}
            select * from ({{ landed_file_stats(sql_string(pattern)) }}) as files
            where
                (landed_file like '%.parquet' or landed_file like '%.csv')
                and regexp_extract(landed_file, '([^/]+)/[^/]+$', 1) in (
                    {%- for entity in entities %}{{ sql_string(entity) }}{{ ',' if not loop.last }}{% endfor -%}
                )
        {% endset %}
        {% set listed = landing_has_files(pattern) %}
        {% set to_hash = [] %}
        {% if listed %}
            {% set unknown = run_query(
                'select listed.landed_file from (' ~ listing ~ ') as listed '
                ~ 'left join ops.landed_files as known using (landed_file, size, modified_at) '
                ~ 'where known.content_md5 is null order by listed.landed_file'
            ) %}
            {% set to_hash = unknown.columns[0].values() | list %}
        {% endif %}
        {% set replace %}
            create or replace table ops.landed_files as
            with

            listed as (
                {% if listed %}
                    {{ listing }}
                {% else %}
                    select
                        null::varchar as landed_file,
                        null::bigint as size,
                        null::timestamptz as modified_at
                    where false
                {% endif %}
            ),

            hashed as (
                {% if to_hash %}
                    {%- set files -%}
                        [{%- for file in to_hash %}{{ sql_string(file) }}{{ ',' if not loop.last }}{% endfor -%}]
                    {%- endset %}
                    {{ landed_file_stats(files, with_content_md5=true) }}
                {% else %}
                    select
                        null::varchar as landed_file,
                        null::bigint as size,
                        null::timestamptz as modified_at,
                        null::varchar as content_md5
                    where false
                {% endif %}
            ),

            fingerprinted as (
                select
                    regexp_extract(listed.landed_file, '([^/]+)/[^/]+$', 1) as entity,
                    listed.landed_file,
                    listed.size,
                    listed.modified_at,
                    coalesce(hashed.content_md5, known.content_md5) as content_md5
                from listed
                left join hashed using (landed_file, size, modified_at)
                left join ops.landed_files as known using (landed_file, size, modified_at)
            )

            select
                *,
                md5(landed_file || ':' || size || ':' || content_md5) as fingerprint
            from fingerprinted
            order by entity, landed_file
        {% endset %}
        {% do run_query(replace) %}
    {% endif %}
{% endmacro %}


{#- The files `source` names (a path pattern or a list of paths, as SQL): landed_file,
    size, modified_at and, with `with_content_md5`, the MD5 of their bytes. Reading file
    metadata and bytes is engine-specific (DuckDB: read_blob), hence the dispatch. -#}
{% macro landed_file_stats(source, with_content_md5=false) %}
    {{ return(adapter.dispatch('landed_file_stats', 'customer360')(source, with_content_md5)) }}
{% endmacro %}


{% macro default__landed_file_stats(source, with_content_md5=false) %}
    select
        filename as landed_file,
        size,
        last_modified as modified_at
        {%- if with_content_md5 %},
        md5(content) as content_md5
        {%- endif %}
    from read_blob({{ source }})
{% endmacro %}


{% macro landed_files_ddl() %}
    create schema if not exists ops;
    create table if not exists ops.landed_files (
        entity varchar,
        landed_file varchar,
        size bigint,
        modified_at timestamptz,
        content_md5 varchar,
        fingerprint varchar
    )
{% endmacro %}
