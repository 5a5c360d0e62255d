-- The overview's KPI cards for all customers and for every persona and RFM segment, from
-- the measures of the semantic layer (_metrics__semantic.yml), one row per selection:
-- customers, revenue and profit of purchase lines before the as-of date (with the share of
-- lines and revenue whose price and cost are known), churn rate and value at risk. All
-- customers' revenue and profit include guest orders; a persona or segment has only its
-- customers'. Unknown stays unknown: a sum is null when no line's figure is known, and
-- value at risk is null when a high-risk customer's monetary value is unknown.

with

customers as (
    select * from {{ ref('customer_360') }}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

selections as (
    -- every customer's selections: all customers, their persona and their RFM segment
    select
        customer_id,
        'all' as selection_kind,
        '' as selection
    from customers
    union all
    select
        customer_id,
        'persona' as selection_kind,
        persona as selection
    from customers
    where persona is not null
    union all
    select
        customer_id,
        'rfm_segment' as selection_kind,
        rfm_segment as selection
    from customers
    where rfm_segment is not null
),

customer_lines as (
    -- purchase lines before the as-of date per customer (null: guest orders)
    select
        customer_id,
        count(*) as purchase_lines,
        count(revenue) as priced_lines,
        sum(revenue) as revenue,
        sum(profit) as profit,
        sum(revenue) filter (where profit is not null) as costed_revenue
    from order_lines
    where is_purchase and order_date < {{ as_of_date() }}
    group by customer_id
),

selection_lines as (
    select
        selections.selection_kind,
        selections.selection,
        customer_lines.purchase_lines,
        customer_lines.priced_lines,
        customer_lines.revenue,
        customer_lines.profit,
        customer_lines.costed_revenue
    from selections
    inner join customer_lines on selections.customer_id = customer_lines.customer_id
    union all
    select
        'all' as selection_kind,
        '' as selection,
        purchase_lines,
        priced_lines,
        revenue,
        profit,
        costed_revenue
    from customer_lines
    where customer_id is null
),

line_totals as (
    select
        selection_kind,
        selection,
        sum(purchase_lines) as purchase_lines,
        sum(priced_lines) as priced_lines,
        sum(revenue) as revenue,
        sum(profit) as profit,
        sum(costed_revenue) as costed_revenue
    from selection_lines
    group by selection_kind, selection
),

customer_totals as (
    select
        selections.selection_kind,
        selections.selection,
        count(*) as customers,
        count(*) filter (where customers.has_purchased) as buyers,
        count(customers.churn_probability) as scored_customers,
        count(*) filter (where customers.risk_band = 'high') as high_risk_customers,
        count(*) filter (where customers.risk_band = 'high' and customers.monetary is null)
            as high_risk_unknown_monetary_customers,
        sum(customers.monetary) filter (where customers.risk_band = 'high')
            as high_risk_monetary
    from selections
    inner join customers on selections.customer_id = customers.customer_id
    group by selections.selection_kind, selections.selection
),

final as (
    select
        customer_totals.selection_kind,
        customer_totals.selection,
        customer_totals.customers,
        customer_totals.buyers,
        cast(
            case
                when coalesce(line_totals.purchase_lines, 0) = 0 then 0 else line_totals.revenue
            end as decimal(18, 4)
        ) as revenue,
        cast(
            case
                when coalesce(line_totals.purchase_lines, 0) = 0 then 0 else line_totals.profit
            end as decimal(18, 4)
        ) as profit,
        line_totals.priced_lines / line_totals.purchase_lines as price_coverage_ratio,
        coalesce(line_totals.costed_revenue, 0)
        / nullif(line_totals.revenue, 0) as cost_coverage_ratio,
        customer_totals.scored_customers,
        customer_totals.high_risk_customers,
        customer_totals.high_risk_customers
        / nullif(customer_totals.scored_customers, 0) as churn_rate,
        cast(
            case
                when customer_totals.high_risk_unknown_monetary_customers = 0
                    then coalesce(customer_totals.high_risk_monetary, 0)
            end as decimal(18, 4)
        ) as value_at_risk
    from customer_totals
    left join line_totals
        on
            customer_totals.selection_kind = line_totals.selection_kind
            and customer_totals.selection = line_totals.selection
)

select * from final
