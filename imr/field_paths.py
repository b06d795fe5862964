"""Field paths of a letter, as the contract's ``evidence`` keys and ``review.changed`` write them:
``case_number``, ``decision_date``, ``reviewer.specialties``, ``patient.age``,
``items[0].decision``, ``items[0].reviewer_guideline.source`` (0-based item index).

Pure functions over the JSON shape of a letter (``Letter.to_dict()``, or a partial letter with
None where a value was not read): :func:`parse` a path into its steps, :func:`get` the value at a
path, :func:`put` a value there. A path that names no field of the letter raises
:class:`FieldPathError` (a ``LookupError``) with a one-line message.
"""

from __future__ import annotations

import re
from typing import Any

#: one step of a path: a key, optionally followed by ``[index]``
_STEP = re.compile(r"^(?P<key>[a-z_]+)(?:\[(?P<index>\d+)\])?$")

Step = str | int


class FieldPathError(LookupError):
    """A path that is malformed or names no field of the letter."""


def parse(path: str) -> tuple[Step, ...]:
    """The steps of ``path``: ``items[0].decision`` -> ``("items", 0, "decision")``.

    Raises :class:`FieldPathError` for a malformed path."""
    steps: list[Step] = []
    for part in path.split("."):
        m = _STEP.match(part)
        if m is None:
            raise FieldPathError(f"malformed field path {path!r} (write e.g. decision_date or items[0].decision)")
        steps.append(m["key"])
        if m["index"] is not None:
            steps.append(int(m["index"]))
    return tuple(steps)


def _walk(letter: dict[str, Any], path: str) -> tuple[Any, Step]:
    """The container holding the last step of ``path``, and that step."""
    steps = parse(path)
    node: Any = letter
    for n, step in enumerate(steps):
        last = n == len(steps) - 1
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                size = len(node) if isinstance(node, list) else 0
                raise FieldPathError(f"no field {path!r}: the letter has {size} of them (indexes start at 0)")
        elif not isinstance(node, dict) or step not in node or step.startswith("_"):
            raise FieldPathError(f"no field {path!r} in the letter (see `imr review show` for its fields)")
        if last:
            return node, step
        node = node[step]
    raise FieldPathError(f"empty field path {path!r}")  # pragma: no cover - parse never returns ()


def get(letter: dict[str, Any], path: str) -> Any:
    """The value at ``path`` in ``letter`` (a dict in the shape of ``Letter.to_dict()``).

    Raises :class:`FieldPathError` when the letter has no such field."""
    node, step = _walk(letter, path)
    return node[step]


def put(letter: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at ``path`` in ``letter`` (in place).

    Raises :class:`FieldPathError` when the letter has no such field."""
    node, step = _walk(letter, path)
    node[step] = value
