"""customer360: a customer-analytics warehouse built with dbt on DuckDB."""

__version__ = "0.1.0"
