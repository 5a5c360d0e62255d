-- The expected value of retention per RFM segment, the decision view beside the Pulse
-- retention ROI formula (macro retention_expected_value): expected value lost = Σ churn
-- probability × monetary (customer_360.expected_value_lost); saved = expected value lost ×
-- `retention_save_rate`; cost = `retention_cost_ratio` × monetary of the customers;
-- net = saved − cost. The same figures are the semantic layer's metrics
-- expected_value_lost, expected_saved_value, retention_cost and net_expected_value grouped
-- by customer__rfm_segment.

-- depends_on: {{ ref('customer_360') }}
{{ retention_expected_value('rfm_segment') }}
