-- The expected value of retention per RFM segment, the decision view beside the Pulse
-- retention ROI formula (macro retention_expected_value): value at risk = Σ churn
-- probability × monetary; saved = value at risk × `retention_save_rate`; cost =
-- `retention_cost_ratio` × monetary of the customers; net = saved − cost.

-- depends_on: {{ ref('customer_360') }}
{{ retention_expected_value('rfm_segment') }}
