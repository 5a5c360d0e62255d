"""Data validation with Great Expectations: suites defined in code (`suites`), run over
DuckDB record batches (`runner`) by `customer360 validate` (`validate`)."""
