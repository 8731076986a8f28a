"""The Reconciliation Service API (version 0.2, the one OpenRefine 3 speaks), without HTTP.

:mod:`.matching` matches the names of a table to entities with the resolution of ``aikg
import`` and the search; :mod:`.lookup` serves the suggest services, the default types and the
preview card; :mod:`.extension` proposes properties and fetches their values;
:mod:`.properties` knows the properties and compares a table's values with them. The service's
``/reconcile`` routes (``service/reconcile.py``) turn requests into these calls.
"""

from .extension import MAX_PROPERTIES, extend, parse_extension, propose
from .lookup import card, default_types, suggest_entities, suggest_properties, suggest_types
from .matching import DEFAULT_LIMIT, MAX_LIMIT, Query, parse_batch, reconcile
from .properties import catalogue

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MAX_PROPERTIES", "Query", "card", "catalogue",
           "default_types", "extend", "parse_batch", "parse_extension", "propose", "reconcile",
           "suggest_entities", "suggest_properties", "suggest_types"]
