"""Read a JSON or YAML document with line marks (cfn-lint's loaders), for the route readers.

Keys and mappings come back as cfn-lint nodes that remember their line (:func:`line_of`); YAML
intrinsic tags (``!Ref``, ``!GetAtt``, ``!Sub``) load as their ``Fn::`` forms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class DocumentError(ValueError):
    """A document that cannot be read; the message names the file and the line."""


def load_document(path: Path, what: str) -> Any:
    """The parsed document at ``path``: JSON when it starts with ``{``, else YAML."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DocumentError(f"{source}: cannot read the {what} ({getattr(error, 'strerror', None) or error})") from None
    from cfnlint.decode import cfn_json, cfn_yaml  # lazy: a tools dependency

    if text.lstrip().startswith("{"):
        try:
            return cfn_json.loads(text)
        except Exception as error:  # noqa: BLE001 - json's and cfn-lint's decode errors
            line = getattr(error, "lineno", None)
            where = f"{source}:{line}" if line else source
            raise DocumentError(f"{where}: the {what} is not valid JSON: {error}") from None
    try:
        return cfn_yaml.loads(text, source)
    except Exception as error:  # noqa: BLE001 - several YAML error types
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise DocumentError(f"{where}: the {what} does not parse as YAML: {error}") from None
