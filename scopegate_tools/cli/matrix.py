"""``matrix``: who may call what, one cell per (client or scope set, template route) (pure).

A cell holds the decisions :meth:`RuleSet.decide` makes on the route's sample
requests (those of :func:`scopegate_tools.cli.coverage.view_routes`: the requests
``explain``, ``test`` and ``diff`` decide on). Nothing here decides: requests
whose decisions read the same (allowed or not, the same deciding rules, the
same missing scopes) are one *kind*, shown once with an example request.

The deciding rules of a decision are the rules that made it: when allowed,
every rule that matched (each had to be satisfied); when denied, every
matching rule the scopes do not satisfy (a deny rule among them), or none when
no rule matches.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scopegate_tools.cli.decision_tables import Client, identity_text
from scopegate_tools.cli.template_routes import Request, TemplateRoute
from scopegate_tools.cli.why import why
from authorizer.caller import Caller
from authorizer.rules import RouteDecision, Rule, RuleSet
from authorizer.scope import SCOPE_TOKEN


class ScopeSetError(ValueError):
    """A --scopes argument that no token could hold; the message says why."""


class Verdict(enum.Enum):
    ALLOWED = "allowed"
    DENIED = "denied"
    PARTLY = "partly allowed"  # some requests of the route allowed, others denied


@dataclass(frozen=True, slots=True)
class Subject:
    """A row: a client of the decision tables, or a scope set from the command line."""

    name: str
    scopes: frozenset[str]
    origin: str  # where it comes from: "policies/rules_test.yaml:11" or "--scopes"
    description: str = ""
    client_id: str | None = None  # who its tokens name (decision tables' client_id, org_id, issuer)
    org_id: str | None = None
    issuer: str | None = None

    @property
    def caller(self) -> Caller:
        """The caller these scopes and names stand for, as the rules see it."""
        return Caller(self.scopes, self.client_id, self.org_id, self.issuer)

    @property
    def identity(self) -> str:
        """``client x, org o``; '' when its tokens name no one the rules could ask about."""
        return identity_text(self.client_id, self.org_id, self.issuer)


@dataclass(frozen=True, slots=True)
class Kind:
    """Requests of one route that the rules decide alike, with one of them as the example."""

    request: Request
    decision: RouteDecision

    @property
    def deciding(self) -> tuple[Rule, ...]:
        return self.decision.matched if self.decision.allowed else self.decision.failed

    @property
    def key(self) -> tuple[bool, tuple[int, ...], tuple[str, ...]]:
        return (
            self.decision.allowed,
            tuple(rule.index for rule in self.deciding),
            self.decision.missing_scopes,
        )


@dataclass(frozen=True, slots=True)
class Cell:
    subject: Subject
    route: TemplateRoute
    kinds: tuple[Kind, ...]  # at least one; the route's first sample request first

    @property
    def verdict(self) -> Verdict:
        allowed = {kind.decision.allowed for kind in self.kinds}
        if allowed == {True}:
            return Verdict.ALLOWED
        return Verdict.DENIED if allowed == {False} else Verdict.PARTLY


@dataclass(frozen=True, slots=True)
class AccessMatrix:
    ruleset: RuleSet
    template: str  # the template's file name
    tables: str  # the decision tables' file name, "" when no client rows
    routes: tuple[TemplateRoute, ...]  # the columns: routes the authorizer guards, template order
    public: tuple[TemplateRoute, ...]  # routes without the authorizer (anyone may call them)
    subjects: tuple[Subject, ...]  # the rows
    rows: tuple[tuple[Cell, ...], ...]  # rows[i][j]: subjects[i] on routes[j]


def client_subjects(clients: Iterable[Client], tables: str) -> tuple[Subject, ...]:
    return tuple(
        Subject(client.name, client.scopes, f"{tables}:{client.line}", client.description,
                client.client_id, client.org_id, client.issuer)
        for client in clients
    )


def scope_subjects(texts: Iterable[str]) -> tuple[Subject, ...]:
    """A row per ``--scopes "a b"`` (space-separated scopes), named by its scopes."""
    subjects: dict[frozenset[str], Subject] = {}
    for text in texts:
        scopes = text.split()
        for scope in scopes:
            if not SCOPE_TOKEN.fullmatch(scope):
                raise ScopeSetError(
                    f"--scopes {text!r}: {scope!r} is not a scope name (printable ASCII without '\"' or '\\')"
                )
        granted = frozenset(scopes)
        if granted in subjects:
            raise ScopeSetError(f"--scopes {text!r}: the same scope set is given twice; give it once")
        subjects[granted] = Subject(f"scopes: {' '.join(sorted(granted)) or '(none)'}", granted, "--scopes")
    return tuple(subjects.values())


def decide_cell(
    ruleset: RuleSet, subject: Subject, route: TemplateRoute, requests: Sequence[Request]
) -> Cell:
    kinds: dict[tuple[bool, tuple[int, ...], tuple[str, ...]], Kind] = {}
    for request in requests:
        kind = Kind(request, ruleset.decide(request.method, request.path, subject.caller))
        kinds.setdefault(kind.key, kind)
    if not kinds:  # a route always has a sample request; fail closed if one ever has none
        raise ValueError(f"route {route.text} has no sample request to decide on")
    return Cell(subject, route, tuple(kinds.values()))


def build_matrix(
    ruleset: RuleSet,
    requests: Mapping[TemplateRoute, Sequence[Request]],
    subjects: Sequence[Subject],
    *,
    template: str,
    tables: str,
    public: Sequence[TemplateRoute] = (),
) -> AccessMatrix:
    """The matrix of ``subjects`` by the routes of ``requests`` (each with its sample requests)."""
    routes = tuple(requests)
    rows = tuple(
        tuple(decide_cell(ruleset, subject, route, requests[route]) for route in routes) for subject in subjects
    )
    return AccessMatrix(ruleset, template, tables, routes, tuple(public), tuple(subjects), rows)


def rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "index": rule.index,
        "id": rule.id,
        "line": rule.line,
        "route": rule.route.text,
        "requirement": rule.requirement,
    }


def matrix_json(matrix: AccessMatrix) -> dict[str, Any]:
    return {
        "rules": matrix.ruleset.source,
        "rules_sha256": matrix.ruleset.digest,
        "template": matrix.template,
        "tables": matrix.tables or None,
        "routes": [route.text for route in matrix.routes],
        "public_routes": [route.text for route in matrix.public],
        "rows": [
            {
                "name": subject.name,
                "scopes": sorted(subject.scopes),
                "client_id": subject.client_id,
                "org_id": subject.org_id,
                "issuer": subject.issuer,
                "origin": subject.origin,
                "cells": [
                    {
                        "route": cell.route.text,
                        "decision": cell.verdict.value,
                        "kinds": [
                            {
                                "request": kind.request.text,
                                "allowed": kind.decision.allowed,
                                "reason": kind.decision.reason,
                                "rules": [rule.id for rule in kind.deciding],
                                "missing_scopes": list(kind.decision.missing_scopes),
                                "why": why(kind.decision),
                            }
                            for kind in cell.kinds
                        ],
                    }
                    for cell in row
                ],
            }
            for subject, row in zip(matrix.subjects, matrix.rows)
        ],
        "rule_list": [rule_json(rule) for rule in matrix.ruleset.rules],
    }
