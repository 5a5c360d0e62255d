-- The 30 association rules with the highest lift.
select
    rule,
    support,
    confidence,
    lift
from ml.association_rules
order by lift desc, confidence desc, rule
limit 30
