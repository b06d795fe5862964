"""DWC service taxonomy for an item's request text (category, subcategory, drug class)."""

from __future__ import annotations


def classify_service(request: str) -> tuple[str | None, str | None, str | None]:
    """(service_category, service_subcategory, drug_class) for a request; None where unknown."""
    return None, None, None
