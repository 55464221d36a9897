"""``check``'s questions about who calls: the issuers file, and the callers the rules' conditions name (pure).

* The issuers file (``--issuers``, or ``policies/issuers.yaml`` when it exists) must load: each
  problem is an error naming its file and line, as the authorizer's cold start would report it.
* A rule's ``issuers`` must name issuers the file trusts (when there is a file): any other
  value is never a token's ``iss``, so such a rule is never met (a deny rule never denies).
* A rule's ``clients`` (``orgs``, ``issuers``) should name a caller some client of the decision
  tables is (``client_id``, ``org_id``, ``issuer``): otherwise no table tests the condition,
  a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scopegate_tools.cli.decision_tables import Client
from scopegate_tools.cli.why import rule_label
from authorizer.conditions import WHAT
from authorizer.issuers import Issuer
from authorizer.rules import RuleSet

TABLE_FIELD = {"clients": "client_id", "orgs": "org_id", "issuers": "issuer"}


@dataclass(frozen=True, slots=True)
class IssuersRead:
    """An issuers file as ``check`` read it: its issuers, or every problem (``file:line: message``)."""

    source: str
    issuers: tuple[Issuer, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CallerCheck:
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    issuers: IssuersRead | None = None

    @classmethod
    def of(
        cls,
        ruleset: RuleSet,
        tables: Sequence[Client] | None,
        tables_source: Path | str,
        issuers: IssuersRead | None,
        tables_unread: str | None = None,
    ) -> CallerCheck:
        errors: list[str] = list(issuers.problems) if issuers is not None else []
        warnings: list[str] = []
        if tables_unread is not None and ruleset.named:
            warnings.append(f"the rules name callers, but the decision tables were not read ({tables_unread}); "
                            "conditions are not compared with their clients")
        trusted = None if issuers is None or issuers.problems else {issuer.issuer for issuer in issuers.issuers}
        file = issuers.source if issuers is not None else ""
        for rule in ruleset.rules:
            where = f"{ruleset.source}:{rule.line}: {rule_label(rule)}"
            if trusted is not None:
                for value in sorted(rule.conditions.issuers - trusted):
                    effect = "never denies" if rule.deny else "never grants"
                    errors.append(
                        f"{where} names issuer {value}, which {file} does not trust: "
                        f"no token has that iss, so the rule {effect}; fix the issuer or add it to the file"
                    )
            if tables is None:
                continue
            for key, field in TABLE_FIELD.items():
                used = {getattr(client, field) for client in tables}
                for value in sorted(rule.conditions.values(key) - used):
                    warnings.append(
                        f"{where} names {WHAT[key]} {value}, which no client of {tables_source} has as its "
                        f"'{field}': no decision table tests the condition; add a client with {field}: {value}"
                    )
        return cls(tuple(errors), tuple(warnings), issuers)

    def as_json(self) -> dict[str, Any]:
        issuers = self.issuers
        return {
            "issuers_file": None if issuers is None else issuers.source,
            "issuers": [] if issuers is None else [
                {"issuer": i.issuer, "audiences": list(i.audiences), "jwks_uri": i.jwks_uri, "profiles": list(i.profiles),
                 "line": i.line}
                for i in issuers.issuers
            ],
            "errors": list(self.errors),
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        issuers = self.issuers
        assert issuers is not None  # shown only with an issuers file
        if issuers.problems:
            return f"Issuers file {issuers.source}: {len(issuers.problems)} problem(s) (see errors)."
        names = ", ".join(issuer.issuer for issuer in issuers.issuers)
        return f"Issuers file {issuers.source}: {len(issuers.issuers)} trusted ({names})."
