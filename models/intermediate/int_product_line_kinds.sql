-- What each product id stands for: a product, or a non-product line (postage, a fee, an
-- adjustment, ...) by the rules in seed `non_product_lines`. One row per distinct product
-- id, never per order line: the rules run over a few thousand ids, not millions of lines.

with

order_items as (
    select * from {{ ref('stg_order_items') }}
),

products as (
    select * from {{ ref('stg_products') }}
),

inventory as (
    select * from {{ ref('stg_inventory') }}
),

non_product_lines as (
    select * from {{ ref('non_product_lines') }}
),

-- every id dim_products knows, so each of them gets a kind
product_ids as (
    select product_id from order_items
    union
    select product_id from products
    union
    select product_id from inventory
),

candidates as (
    select
        product_ids.product_id,
        products.product_name
    from product_ids
    left join products on product_ids.product_id = products.product_id
),

-- var exclude_non_product_lines: false switches the rules off (every id is a product)
rules as (
    select * from non_product_lines
    where {{ 'true' if var('exclude_non_product_lines') else 'false' }}
),

-- exact rules are a hash join; a regex with a per-row pattern is compiled for each
-- (id, rule) pair, a few microseconds each, cheap at one row per id
matches as (
    select
        candidates.product_id,
        rules.rule_order,
        rules.line_kind
    from candidates
    inner join rules
        on
            rules.match_type = 'exact'
            and lower(
                case rules.match_column
                    when 'product_id' then candidates.product_id
                    when 'product_name' then candidates.product_name
                end
            ) = lower(rules.pattern)
    union all
    select
        candidates.product_id,
        rules.rule_order,
        rules.line_kind
    from candidates
    inner join rules
        on
            rules.match_type = 'regex'
            and regexp_matches(
                case rules.match_column
                    when 'product_id' then candidates.product_id
                    when 'product_name' then candidates.product_name
                end,
                rules.pattern,
                'i'
            )
),

-- the first matching rule (lowest rule_order) decides the kind
first_matches as (
    select
        product_id,
        arg_min(line_kind, rule_order) as line_kind
    from matches
    group by product_id
),

final as (
    select
        candidates.product_id,
        coalesce(first_matches.line_kind, 'product') as line_kind,
        first_matches.product_id is null as is_product
    from candidates
    left join first_matches on candidates.product_id = first_matches.product_id
)

select * from final
