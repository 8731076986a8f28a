"""Values as people write them: "2000" for a year (not "2000 gYear"), "23 July 2024" for a date,
"120 billion tokens per day" for an amount with its unit, "85%" for a percentage.

The pages and the API's ``display`` fields use :func:`readable`; the value itself, with its
datatype, stays alongside for programs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

__all__ = ["readable", "number"]

XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "https://schema.org/"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
#: Properties whose value is an amount of the unit the entity names with ``schema:unitText``.
AMOUNTS = frozenset(SCHEMA + p for p in ("value", "minValue", "maxValue"))
#: Properties whose value is a price in the currency of ``schema:priceCurrency``.
PRICES = frozenset({SCHEMA + "price"})
_LARGE = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))
_DATE = re.compile(r"^(-?\d{4,})(?:-(\d\d))?(?:-(\d\d))?(?:T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?)?"
                   r"(Z|[+-]\d\d:\d\d)?$")


def readable(value: Mapping[str, object], prop: str = "", unit: str = "",
             currency: str = "") -> str:
    """A literal (in the SPARQL JSON results shape) as a person writes it.

    ``prop`` is the property it is a value of; ``unit`` and ``currency`` what the same entity
    says with ``schema:unitText`` and ``schema:priceCurrency``.

    >>> year = {"value": "2000", "datatype": XSD + "gYear"}
    >>> readable(year), readable({"value": "2024-04", "datatype": XSD + "gYearMonth"})
    ('2000', 'April 2024')
    >>> readable({"value": "2024-07-23", "datatype": XSD + "date"})
    '23 July 2024'
    >>> tokens = {"value": "1300000000000", "datatype": XSD + "integer"}
    >>> readable(tokens, SCHEMA + "minValue", unit="tokens per day")
    '1.3 trillion tokens per day'
    >>> readable({"value": "85", "datatype": XSD + "integer"}, "https://x.org/priceCutPercent")
    '85%'
    >>> readable({"value": "0.0008", "datatype": XSD + "decimal"}, SCHEMA + "price",
    ...          currency="CNY")
    '0.0008 CNY'
    >>> readable({"value": "true", "datatype": XSD + "boolean"})
    'yes'
    """
    text, datatype = str(value.get("value", "")), str(value.get("datatype", ""))
    kind = datatype[len(XSD):] if datatype.startswith(XSD) else ""
    if kind in ("gYear", "gYearMonth", "date", "dateTime"):
        return _date(text)
    if kind == "boolean":
        return {"true": "yes", "1": "yes", "false": "no", "0": "no"}.get(text, text)
    if kind in ("integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger",
                "positiveInteger"):
        shown = number(text)
        if prop.endswith("Percent"):
            return shown + "%"
        if prop in AMOUNTS and unit:
            return f"{shown} {unit}"
        if prop in PRICES and currency:
            return f"{shown} {currency}"
        return shown
    return text


def number(text: str) -> str:
    """A number with thousands separators, and in words past a million when round enough.

    >>> number("58000000"), number("850000"), number("3800000000"), number("123456789")
    ('58 million', '850,000', '3.8 billion', '123,456,789')
    """
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return text
    for size, word in _LARGE:
        if abs(amount) >= size:
            scaled = amount / size
            if scaled == round(scaled, 2):
                return f"{scaled.normalize():f} {word}"
            break
    return f"{amount:,f}" if amount == amount.to_integral_value() else text


def _date(text: str) -> str:
    found = _DATE.match(text)
    if not found:
        return text
    year, month, day, time, zone = found.groups()
    if not month:
        return year
    if not 1 <= int(month) <= 12:
        return text
    shown = f"{MONTHS[int(month) - 1]} {year}"
    if day:
        shown = f"{int(day)} {shown}"
    if time:
        shown += f", {time}" + (" UTC" if zone in ("Z", "+00:00") else f" {zone}" if zone else "")
    return shown
