with

validated as (
    select * from {{ ref('base_customers') }}
),

final as (
    select
        customer_id,
        email,
        full_name,
        phone,
        city,
        country,
        signup_date,
        birth_date
    from validated
    where row_outcome = 'staged'
)

select * from final
