"""The one map between a :class:`imr.models.Letter` and its ``letters`` row, and between an
:class:`imr.models.Item` and its ``items`` row: loading writes them, export reads them back.
Columns holding a patient field are named ``patient_<field>``; an item's guidelines are rows of
``guideline_citations``."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from imr.models import Item, Letter, Patient

#: the Letter attributes held in other tables (or, for the patient, in ``patient_<field>`` columns)
_NOT_SCALAR = frozenset({"reviewer", "patient", "diagnoses", "items"})
#: ``letters`` columns that hold a Letter attribute of the same name
LETTER_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Letter) if f.name not in _NOT_SCALAR)
#: ``letters`` columns ``patient_<field>`` that hold ``Letter.patient.<field>``
PATIENT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Patient))
#: ``items`` columns that hold an Item attribute of the same name (its guidelines are rows of
#: ``guideline_citations``)
ITEM_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(Item) if f.name not in {"claims_administrator_guideline", "reviewer_guideline"}
)


def letter_columns(letter: Letter) -> dict[str, Any]:
    """The ``letters`` column values of ``letter`` (header fields and patient)."""
    values = {name: getattr(letter, name) for name in LETTER_FIELDS}
    values.update({f"patient_{name}": getattr(letter.patient, name) for name in PATIENT_FIELDS})
    return values


def letter_fields(row: Mapping[Any, Any]) -> dict[str, Any]:
    """Keyword arguments of :class:`Letter` read back from a ``letters`` row (header fields and patient)."""
    fields: dict[str, Any] = {name: row[name] for name in LETTER_FIELDS}
    fields["patient"] = Patient(**{name: row[f"patient_{name}"] for name in PATIENT_FIELDS})
    return fields


def item_columns(item: Item) -> dict[str, Any]:
    """The ``items`` column values of ``item`` (all but its guidelines)."""
    return {name: getattr(item, name) for name in ITEM_FIELDS}


def item_fields(row: Mapping[Any, Any]) -> dict[str, Any]:
    """Keyword arguments of :class:`Item` read back from an ``items`` row (all but its guidelines)."""
    return {name: row[name] for name in ITEM_FIELDS}
