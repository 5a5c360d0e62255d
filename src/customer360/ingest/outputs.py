"""The landing files one ingest writes, as SQL over the table `mapped`: the entity
itself, or orders + order lines (+ products) from a flat transaction file or from events
with an amount."""

from __future__ import annotations

from dataclasses import dataclass

from customer360.contract import Entity
from customer360.ingest.common import TRANSACTIONS, literal


@dataclass
class Output:
    """One landing file to write: an entity and the SQL that produces its rows."""

    entity: Entity
    sql: str


def entity_select(entity: Entity, values: dict[str, str], source_file: str) -> str:
    """One landed row per source row, with every contract column as text."""
    columns = [
        f"cast({values[name]} as varchar) as {name}"
        if name in values
        else f"cast(null as varchar) as {name}"
        for name in entity.column_names
    ]
    return (
        f"select {', '.join(columns)}, {literal(source_file)} as _source_file, "
        "_source_row from mapped"
    )


def derived_order_id(customer: str | None, moment: str) -> str:
    """customer-YYYYMMDDHHMMSS, or customer-<raw date> when the date does not parse; a
    line without a customer belongs to guest-YYYYMMDDHHMMSS."""
    stamp = f"strftime(try_cast({moment} as timestamp), '%Y%m%d%H%M%S')"
    return f"coalesce({customer or 'null'}, 'guest') || '-' || coalesce({stamp}, {moment})"


def transaction_outputs(
    values: dict[str, str],
    entities: dict[str, Entity],
    source_file: str,
    where: str = "true",
    with_products: bool = True,
) -> list[Output]:
    """Orders and order lines (and products named by an id, a name or a category) from
    one row per line. An order's header comes from its lines: the earliest time and each
    column's first non-empty value in file order, so lines a minute apart are one order;
    only two customers on one order are a contradiction (an order row per customer, which
    staging rejects as duplicate_conflict with both values)."""
    ordered_at = values["ordered_at"]
    customer = values.get("customer_id", "null")
    order_id = values.get("order_id", derived_order_id(values.get("customer_id"), ordered_at))
    product = values.get("product_id") or values.get("category") or "'UNKNOWN'"
    quantity = values.get("quantity", "'1'")
    unit_price = values.get("unit_price", "null")  # none: a basket-only file, price unknown
    if "unit_price" not in values and "amount" in values:  # the amount is the line total
        amount = f"try_cast({values['amount']} as decimal(18, 4))"
        units = f"try_cast({quantity} as integer)"
        unit_price = (
            f"coalesce(cast(cast(abs({amount} / nullif({units}, 0)) as decimal(18, 4)) "
            f"as varchar), {values['amount']})"
        )
        # a negative total with a positive count is a refund: a returned line
        quantity = (
            f"case when {amount} < 0 and {units} > 0 then cast(-{units} as varchar) "
            f"else {quantity} end"
        )
    lines = {
        "order_id": order_id,
        "customer_id": customer,
        "ordered_at": ordered_at,
        "channel": values.get("channel", "null"),
        "store_id": values.get("store_id", "null"),
        "status": values.get("status", "null"),
        "line_number": values.get("line_number", "null"),
        "product_id": product,
        "quantity": quantity,
        "unit_price": unit_price,
        "discount_amount": values.get("discount_amount", "null"),
        "unit_cost": values.get("unit_cost", "null"),
        "product_name": values.get("product_name", "null"),
        "category": values.get("category", "null"),
    }
    rows = ", ".join(f"cast({sql} as varchar) as {name}" for name, sql in lines.items())
    base = f"(select {rows}, _source_row from mapped where {where})"
    orders, items, products = (entities[n] for n in ("orders", "order_items", "products"))
    file = f"{literal(source_file)} as _source_file"
    first = ", ".join(
        f"arg_min({name}, _source_row) filter (where {name} is not null) as {name}"
        for name in ("channel", "store_id", "status")
    )
    headers = (
        "select order_id, coalesce(cast(min(try_cast(ordered_at as timestamp)) as varchar), "
        f"min(ordered_at)) as ordered_at, {first} from {base} group by order_id"
    )
    customers = (
        "select order_id, customer_id, min(_source_row) as _source_row, "
        "count(customer_id) over (partition by order_id) as known_customers "
        f"from {base} group by order_id, customer_id"
    )
    header_columns = ", ".join(
        f"{'customers' if name == 'customer_id' else 'headers'}.{name}"
        for name in orders.column_names
    )
    outputs = [
        Output(
            orders,
            f"select {header_columns}, "
            f"{file}, customers._source_row from ({headers}) as headers "
            f"inner join ({customers}) as customers "
            "on headers.order_id is not distinct from customers.order_id "
            "where customers.customer_id is not null or customers.known_customers = 0",
        ),
        Output(
            items,
            "select order_id, coalesce(line_number, cast(row_number() over ("
            "partition by order_id order by _source_row) as varchar)) as line_number, "
            f"product_id, quantity, unit_price, discount_amount, unit_cost, {file}, "
            f"_source_row from {base}",
        ),
    ]
    # products named in the file: by a name column, or the category standing in for them
    named = "product_name" in values or ("product_id" not in values and "category" in values)
    if with_products and named:
        name = "product_name" if "product_name" in values else "product_id"
        outputs.append(
            Output(
                products,
                f"select product_id, arg_min({name}, _source_row) filter (where {name} is not "
                "null) as product_name, arg_min(category, _source_row) filter (where category "
                "is not null) as category, cast(null as varchar) as list_price, "
                f"cast(null as varchar) as unit_cost, {file}, min(_source_row) as _source_row "
                f"from {base} where product_id is not null group by product_id",
            )
        )
    return outputs


def event_outputs(
    values: dict[str, str], entities: dict[str, Entity], source_file: str
) -> list[Output]:
    """Orders and order lines from the events with a positive amount, one line each.
    The order id comes from the event's grain, so it is the same in every file."""
    event_type = f"lower({values['event_type']})"
    stamp = derived_order_id(values["customer_id"], values["event_at"])
    revenue = {
        "customer_id": values["customer_id"],
        "ordered_at": values["event_at"],
        "amount": values["amount"],
        "product_id": event_type,
        "order_id": f"'EV-' || {stamp} || '-' || {event_type}",
    }
    positive = f"try_cast({values['amount']} as decimal(18, 4)) > 0"
    return transaction_outputs(revenue, entities, source_file, positive, with_products=False)


def build_outputs(
    entity_name: str, values: dict[str, str], entities: dict[str, Entity], source_file: str
) -> list[Output]:
    """Every landing file this ingest writes, as SQL over `mapped`."""
    if entity_name == TRANSACTIONS:
        return transaction_outputs(values, entities, source_file)
    entity = entities[entity_name]
    outputs = [Output(entity, entity_select(entity, values, source_file))]
    if entity_name == "events" and "amount" in values:
        outputs += event_outputs(values, entities, source_file)
    return outputs
