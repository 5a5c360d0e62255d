{#
    The build's own record, `ops.build_runs`: one row per dbt invocation that changes
    tables (build, run, seed, snapshot). on-run-start inserts it unfinished; on-run-end
    completes it with the outcome. A build that is killed or stops early keeps
    `finished_at` null, so `customer360 publish` (customer360.build_state) can tell a
    complete, successful `dbt build` from anything else. The ops schema is never published:
    its ids and times differ per run by nature.

    Columns:
      run_sequence          1, 2, ... in the order the runs started (the last run is the max)
      build_id              dbt's invocation id (the `invocation_id` of run_results.json)
      command               the dbt command: build, run, seed or snapshot
      selection             the node selection as JSON (select, exclude, selector,
                            resource types, --empty); null when the whole project ran
      cli_vars              the --vars given on the command line, as JSON
      target                the profile target
      landing_dir           the landing folder the run read
      landing_files         files in it (*.parquet, *.csv) when the run started ...
      landing_bytes         ... their total size ...
      landing_fingerprint   ... and an MD5 over their names, sizes and modification times
      started_at            when the run started (UTC)
      finished_at           when it finished (UTC); null while running, or when it was killed
      nodes_run             nodes that ran (models, seeds, snapshots, tests)
      nodes_failed          of those, errors and failed tests
      nodes_skipped         of those, skipped because something upstream failed
      nodes_warned          of those, tests that warned
      status                running, success or failed
#}
{% macro record_build_start() %}
    {% if execute and flags.WHICH in ['build', 'run', 'seed', 'snapshot'] %}
        {% do run_query(build_record_ddl()) %}
        {% set landing = var('landing_dir') %}
        {% set pattern = landing ~ '/*/*' %}
        {% set has_files = landing_has_files(pattern) %}
        {% set insert %}
            insert into ops.build_runs
            with landed as (
                {% if has_files %}
                    select filename, size, last_modified
                    from read_blob({{ sql_string(pattern) }})
                    where filename like '%.parquet' or filename like '%.csv'
                {% else %}
                    select
                        null::varchar as filename,
                        null::bigint as size,
                        null::timestamp as last_modified
                    where false
                {% endif %}
            )

            select
                coalesce((select max(run_sequence) from ops.build_runs), 0) + 1,
                {{ sql_string(invocation_id) }},
                {{ sql_string(flags.WHICH) }},
                {{ build_record_selection() }},
                {{ sql_string(tojson(invocation_args_dict.get('vars') or {})) }},
                {{ sql_string(target.name) }},
                {{ sql_string(landing) }},
                (select count(*) from landed),
                (select coalesce(sum(size), 0) from landed),
                (
                    select md5(coalesce(string_agg(
                        filename || ':' || size || ':' || epoch(last_modified), '|'
                        order by filename
                    ), ''))
                    from landed
                ),
                now() at time zone 'UTC',
                null, null, null, null, null,
                'running'
        {% endset %}
        {% do run_query(insert) %}
    {% endif %}
{% endmacro %}


{% macro record_build_end(results) %}
    {% if execute and flags.WHICH in ['build', 'run', 'seed', 'snapshot'] %}
        {% set counts = {'failed': 0, 'skipped': 0, 'warned': 0} %}
        {% for result in results %}
            {% if result.status in ['error', 'fail', 'runtime error'] %}
                {% do counts.update({'failed': counts.failed + 1}) %}
            {% elif result.status == 'skipped' %}
                {% do counts.update({'skipped': counts.skipped + 1}) %}
            {% elif result.status == 'warn' %}
                {% do counts.update({'warned': counts.warned + 1}) %}
            {% endif %}
        {% endfor %}
        {% set status = 'failed' if counts.failed or counts.skipped else 'success' %}
        {% set update %}
            update ops.build_runs set
                finished_at = now() at time zone 'UTC',
                nodes_run = {{ results | length }},
                nodes_failed = {{ counts.failed }},
                nodes_skipped = {{ counts.skipped }},
                nodes_warned = {{ counts.warned }},
                status = '{{ status }}'
            where build_id = {{ sql_string(invocation_id) }}
        {% endset %}
        {% do run_query(update) %}
    {% endif %}
{% endmacro %}


{#- null when the whole project runs, else what narrowed it, as JSON -#}
{% macro build_record_selection() %}
    {%- set narrowed = {} -%}
    {%- for argument in ['select', 'exclude', 'selector', 'resource_types',
                         'exclude_resource_types', 'inline'] -%}
        {%- set value = invocation_args_dict.get(argument) -%}
        {%- if value -%}
            {%- do narrowed.update({argument: value | list if value is iterable
                                    and value is not string else value}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if invocation_args_dict.get('empty') -%}
        {%- do narrowed.update({'empty': true}) -%}
    {%- endif -%}
    {{- sql_string(tojson(narrowed)) if narrowed else 'null' -}}
{% endmacro %}


{% macro build_record_ddl() %}
    create schema if not exists ops;
    create table if not exists ops.build_runs (
        run_sequence integer not null,
        build_id varchar not null,
        command varchar not null,
        selection varchar,
        cli_vars varchar,
        target varchar,
        landing_dir varchar,
        landing_files bigint,
        landing_bytes bigint,
        landing_fingerprint varchar,
        started_at timestamp not null,
        finished_at timestamp,
        nodes_run integer,
        nodes_failed integer,
        nodes_skipped integer,
        nodes_warned integer,
        status varchar not null
    )
{% endmacro %}
