"""Market-basket analysis (Apriori) for dead-stock bundles.

Apriori runs level by level in DuckDB SQL — count the frequent items, extend every
frequent k-itemset found in a basket by a later item of the same basket, count, keep the
frequent ones — which is exact (every frequent itemset's prefix is frequent) and keeps
memory proportional to the baskets, not to a one-hot matrix. Only the small table of
frequent itemsets reaches Python, where mlxtend's `association_rules` computes the rule
metrics. Support is relative to all baskets; `bundle_support` chooses it.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pyarrow as pa
from mlxtend.frequent_patterns import association_rules as mlxtend_rules

RULE_METRICS = ["support", "confidence", "lift", "leverage", "conviction"]


EMPTY_ITEMSETS = pa.schema(
    [
        ("itemset", pa.list_(pa.string())),
        ("length", pa.int32()),
        ("basket_count", pa.int64()),
        ("support", pa.float64()),
    ]
)
APRIORI_TABLES = [
    "items",
    "baskets",
    "level",
    "frequent_baskets",
    "found",
    "matches",
    "extended",
]


def frequent_itemsets(
    connection: duckdb.DuckDBPyConnection, baskets: str, min_support: float, max_length: int
) -> pa.Table:
    """Every itemset in at least `min_support` of the baskets, up to `max_length` items.

    `baskets` names a relation with columns (basket_id, item), one row per item in a
    basket. Returns itemset (a sorted list of items), length, basket_count and support."""
    total = prepare_baskets(connection, baskets)
    try:
        if total == 0:
            return EMPTY_ITEMSETS.empty_table()
        return mine(connection, min_basket_count(min_support, total), max_length, total)
    finally:
        drop_apriori_tables(connection)


def min_basket_count(min_support: float, basket_total: int) -> int:
    """The smallest basket count that reaches `min_support` (a tiny tolerance absorbs
    float error, so a support of k / basket_total gives k)."""
    return max(1, math.ceil(min_support * basket_total - 1e-9))


def prepare_baskets(connection: duckdb.DuckDBPyConnection, baskets: str) -> int:
    """Copy the distinct (basket, item) pairs into a temp table, both as integer keys so
    the counting joins compare numbers, not text; returns the basket count. Item keys
    follow the items' text order, so itemsets sorted by key are sorted by item; basket
    keys are arbitrary (they are only compared), which leaves every count unchanged."""
    source = (
        f"select cast(basket_id as varchar) as basket_id, cast(item as varchar) as item "
        f"from {baskets} where item is not null"
    )
    connection.execute(
        "create or replace temp table apriori_items as "
        "select item, cast(row_number() over (order by item) as integer) as item_key "
        f"from (select distinct item from ({source}))"
    )
    connection.execute(
        f"create or replace temp table apriori_baskets as "
        f"with source as ({source}), "
        f"basket_keys as (select basket_id, row_number() over () as basket_key "
        f"from (select distinct basket_id from source)) "
        f"select distinct basket_keys.basket_key as basket_id, items.item_key as item "
        f"from source inner join basket_keys using (basket_id) "
        f"inner join apriori_items as items using (item)"
    )
    [(total,)] = connection.execute(
        "select count(distinct basket_id) from apriori_baskets"
    ).fetchall()
    return int(total)


def drop_apriori_tables(connection: duckdb.DuckDBPyConnection) -> None:
    for table in APRIORI_TABLES:
        connection.execute(f"drop table if exists apriori_{table}")


def mine(
    connection: duckdb.DuckDBPyConnection, min_count: int, max_length: int, total: int
) -> pa.Table:
    """Level-wise Apriori over the prepared baskets (`total` of them): every itemset in at
    least `min_count` baskets, up to `max_length` items."""
    connection.execute(
        "create or replace temp table apriori_level as "
        "select [item] as itemset, count(*) as basket_count from apriori_baskets "
        f"group by item having count(*) >= {min_count}"
    )
    connection.execute(
        "create or replace temp table apriori_frequent_baskets as "
        "select basket_id, item from apriori_baskets "
        "where item in (select itemset[1] from apriori_level)"
    )
    connection.execute(
        "create or replace temp table apriori_found as "
        "select itemset, basket_count from apriori_level"
    )
    connection.execute(
        "create or replace temp table apriori_matches as "
        "select basket_id, [item] as itemset from apriori_frequent_baskets"
    )
    for _ in range(2, max_length + 1):
        # extend each frequent itemset of a basket by a later item of the same basket
        connection.execute(
            "create or replace temp table apriori_extended as "
            "select matches.basket_id, list_append(matches.itemset, items.item) as itemset "
            "from apriori_matches as matches "
            "inner join apriori_frequent_baskets as items "
            "on matches.basket_id = items.basket_id "
            "and items.item > matches.itemset[len(matches.itemset)]"
        )
        connection.execute(
            "create or replace temp table apriori_level as "
            "select itemset, count(*) as basket_count from apriori_extended "
            f"group by itemset having count(*) >= {min_count}"
        )
        if connection.execute("select count(*) from apriori_level").fetchall()[0][0] == 0:
            break
        connection.execute("insert into apriori_found select * from apriori_level")
        connection.execute(
            "create or replace temp table apriori_matches as "
            "select basket_id, itemset from apriori_extended "
            "where itemset in (select itemset from apriori_level)"
        )
    # back from item keys to the items (key k is the k-th item in text order)
    result = connection.sql(
        "with names as (select list(item order by item_key) as items from apriori_items) "
        "select list_transform(found.itemset, lambda key: names.items[key]) as itemset, "
        "cast(len(found.itemset) as integer) as length, found.basket_count, "
        f"found.basket_count / {total} as support from apriori_found as found, names "
        "order by length, found.itemset"
    ).to_arrow_table()
    return result.cast(EMPTY_ITEMSETS) if result.num_rows else EMPTY_ITEMSETS.empty_table()


def rules(
    itemsets: pa.Table, basket_total: int, min_confidence: float, min_lift: float
) -> pa.Table:
    """Association rules with their metrics, from frequent itemsets (mlxtend computes the
    metrics); kept when confidence ≥ min_confidence and lift ≥ min_lift. Sorted by lift,
    confidence, then the rule's text, so the order is stable."""
    columns = {
        "antecedents": pa.list_(pa.string()),
        "consequents": pa.list_(pa.string()),
        "rule": pa.string(),
        **{
            name: pa.float64()
            for name in ["antecedent_support", "consequent_support", *RULE_METRICS]
        },
    }
    multi = [row for row in itemsets.to_pylist() if row["length"] > 1]
    if not multi:
        return pa.table({name: pa.array([], kind) for name, kind in columns.items()})
    frame = pd.DataFrame(
        {
            "support": [row["support"] for row in itemsets.to_pylist()],
            "itemsets": [frozenset(row["itemset"]) for row in itemsets.to_pylist()],
        }
    )
    found = mlxtend_rules(
        frame, num_itemsets=basket_total, metric="confidence", min_threshold=min_confidence
    )
    found = found[found["lift"] >= min_lift - 1e-12]
    records = []
    for row in found.to_dict("records"):
        antecedents, consequents = sorted(row["antecedents"]), sorted(row["consequents"])
        records.append(
            {
                "antecedents": antecedents,
                "consequents": consequents,
                "rule": f"{' + '.join(antecedents)} -> {' + '.join(consequents)}",
                "antecedent_support": float(row["antecedent support"]),
                "consequent_support": float(row["consequent support"]),
                **{name: float(row[name]) for name in RULE_METRICS},
            }
        )
    records.sort(key=lambda r: (-r["lift"], -r["confidence"], r["rule"]))
    return pa.Table.from_pylist(records, schema=pa.schema(columns))


def with_support_used(table: pa.Table, min_support_used: float) -> pa.Table:
    """The table with a column `min_support_used`: the support it was mined at."""
    column = pa.array([min_support_used] * table.num_rows, pa.float64())
    return table.append_column("min_support_used", column)
