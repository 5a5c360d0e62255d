"""Which column of the file becomes which contract column: `--map` first, then the
contract's names and their synonyms, compared without case and punctuation."""

from __future__ import annotations

from customer360.contract import Entity
from customer360.errors import UserError
from customer360.ingest.common import TRANSACTIONS, Source, normalise

# Other names a column goes by, compared after lower-casing and dropping everything but
# letters and digits. Not formatted: one name a line, the table would be four times as long.
SYNONYMS: dict[str, list[str]] = {
    "customer_id": ["customerid", "custid", "customer", "clientid", "client", "userid",
                    "memberid", "membernumber", "memberno", "member", "customerno",
                    "customernumber", "accountid"],
    "order_id": ["orderid", "invoiceno", "invoice", "invoiceid", "transactionid",
                 "ordernumber", "orderno", "receiptid"],
    "ordered_at": ["orderdate", "transactiondate", "date", "invoicedate", "purchasedate",
                   "timestamp", "datetime", "orderedat", "transactiontime", "orderdatetime"],
    "amount": ["transactionamount", "amount", "total", "sales", "revenue", "revenueimpact",
               "value", "ordervalue", "linetotal", "totalamount"],
    "quantity": ["qty", "units", "quantity", "count"],
    "product_id": ["productid", "stockcode", "sku", "item", "itemid", "productcode", "product",
                   "itemdescription", "itemname", "article", "articleid"],
    "category": ["productcategory", "category", "productline", "department"],
    "unit_price": ["unitprice", "priceeach", "itemprice", "price"],
    "discount_amount": ["discount", "discountamount"],
    "unit_cost": ["unitcost", "costeach", "cost"],
    "line_number": ["line", "lineno", "linenumber"],
    "channel": ["channel", "saleschannel"],
    "store_id": ["storeid", "store", "shopid", "shop"],
    "status": ["status", "orderstatus"],
    "event_at": ["eventdate", "date", "timestamp", "eventtime", "datetime", "eventat"],
    "event_type": ["eventtype", "type", "event", "activity"],
    "email": ["email", "emailaddress", "mail"],
    "full_name": ["name", "fullname", "customername"],
    "product_name": ["productname", "name", "description", "title"],
    "received_on": ["receivedon", "receiveddate", "date", "deliverydate"],
    "quantity_received": ["quantityreceived", "qtyreceived", "received", "quantity", "qty"],
    "logged_at": ["loggedat", "timestamp", "datetime", "date", "time"],
    "contacted_at": ["contactedat", "contactdate", "date", "sentat"],
    "is_control": ["iscontrol", "control", "holdout", "isholdout", "controlgroup",
                   "holdoutgroup", "group", "testgroup", "variant", "arm"],
}  # fmt: skip

# The columns of a flat transaction file, and which of them must be found: only the time.
# Without a customer a line belongs to an anonymous (guest) order; without an amount or a
# price (a basket-only file) its revenue is unknown, never 0.
TRANSACTION_COLUMNS = [
    "customer_id",
    "ordered_at",
    "amount",
    "quantity",
    "unit_price",
    "order_id",
    "product_id",
    "product_name",
    "category",
    "discount_amount",
    "unit_cost",
    "line_number",
    "channel",
    "store_id",
    "status",
]
TRANSACTION_REQUIRED = ["ordered_at"]


def check_entity(entity_name: str, entities: dict[str, Entity]) -> None:
    """Refuse an entity the contract does not know."""
    if entity_name not in entities and entity_name != TRANSACTIONS:
        valid = ", ".join([*entities, TRANSACTIONS])
        raise UserError(f"unknown entity {entity_name!r}; choose one of: {valid}")


def target_columns(entity_name: str, entities: dict[str, Entity]) -> tuple[list[str], list[str]]:
    """The columns a file for the entity can map, and those it must map."""
    if entity_name == TRANSACTIONS:
        return TRANSACTION_COLUMNS, TRANSACTION_REQUIRED
    entity = entities[entity_name]
    return entity.column_names, [c.name for c in entity.columns if entity.must_map(c)]


def columns_hint(source: Source) -> str:
    """The file's columns, and how a headerless file's columns are named."""
    listed = ", ".join(source.columns)
    if len(source.columns) == 1 and source.kind == "CSV":
        return (
            f"The file reads as one column ({listed}): its delimiter is none of comma, "
            "semicolon, tab, | or runs of spaces. Save it with one of those delimiters."
        )
    if source.header:
        return f"Columns in the file: {listed}"
    return (
        f"The file has no header row, so its columns are named by position: {listed} "
        "(write e.g. --map customer_id=column1)"
    )


def explicit_mapping(
    source: Source, entity_name: str, targets: list[str], explicit: list[str]
) -> dict[str, str]:
    """The --map TARGET=SOURCE options, checked against the entity and the file."""
    by_normal = {normalise(name): name for name in source.columns}
    mapping: dict[str, str] = {}
    for item in explicit:
        target, sep, wanted = (part.strip() for part in item.partition("="))
        if not sep or not target or not wanted:
            raise UserError(f"--map {item!r}: write it as TARGET=SOURCE, e.g. customer_id=CustID")
        if target not in targets:
            raise UserError(
                f"--map {item!r}: {entity_name} has no column {target!r}; "
                f"its columns are: {', '.join(targets)}"
            )
        found = wanted if wanted in source.columns else by_normal.get(normalise(wanted))
        if found is None:
            raise UserError(
                f"{source.path}: no column {wanted!r} for --map {item!r}. {columns_hint(source)}"
            )
        mapping[target] = found
    return mapping


def resolve_mapping(
    source: Source, entity_name: str, entities: dict[str, Entity], explicit: list[str]
) -> dict[str, str]:
    """target column -> source column: --map first, then names and synonyms."""
    targets, required = target_columns(entity_name, entities)
    mapping = explicit_mapping(source, entity_name, targets, explicit)
    by_normal = {normalise(name): name for name in source.columns}
    used = set(mapping.values())
    for target in targets:
        if target in mapping:
            continue
        for candidate in [normalise(target), *SYNONYMS.get(target, [])]:
            name = by_normal.get(candidate)
            if name is not None and name not in used:
                mapping[target] = name
                used.add(name)
                break
    for target in required:
        if target not in mapping:
            looked_for = ", ".join(dict.fromkeys([normalise(target), *SYNONYMS.get(target, [])]))
            raise UserError(
                f"{source.path}: no column for the required {target!r} of {entity_name} "
                f"(looked for: {looked_for}; case and punctuation ignored). Map one with "
                f"--map {target}=<column>. {columns_hint(source)}"
            )
    return {target: mapping[target] for target in targets if target in mapping}
