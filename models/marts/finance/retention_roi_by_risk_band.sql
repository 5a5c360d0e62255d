-- The expected value of retention per churn risk band, the decision view beside the Pulse
-- retention ROI formula (macro retention_expected_value, as retention_roi_by_segment).

-- depends_on: {{ ref('customer_360') }}
{{ retention_expected_value('risk_band') }}
