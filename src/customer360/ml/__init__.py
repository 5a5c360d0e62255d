"""Pure, seeded model functions called by the dbt Python models in python_models/ml.

Every function takes plain arrays or Arrow tables and returns an Arrow table (or plain
values); none reads or writes files, and every random choice takes an explicit seed.
"""
