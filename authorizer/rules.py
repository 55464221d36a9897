"""Load, validate and compile policies/rules.yaml into a RuleSet (pure but for reading the file).

Format, version 1::

    version: 1
    rules:
      - route: GET /orders/*          # METHOD PATH, see authorizer.route
        scopes: [read:orders]         # the token must hold every one
        any_scopes: [admin, support]  # and at least one of these
      - route: "* /health"
        authenticated: true           # any valid token
      - route: "* /admin/*"
        deny: true                    # nobody, whatever the scopes
      - route: POST /refunds
        scopes: [refund:orders]
        clients: [billing-job]        # and only this client (authorizer.conditions)

Optional per rule: ``id`` (defaults to the route text), ``description``, and conditions on the
caller: ``clients``, ``orgs``, ``issuers``, each ANDed with the requirement.

Semantics: a request is allowed if and only if at least one non-deny rule matches
its method and path and the caller satisfies every rule that matches. A non-deny
rule is satisfied when the caller meets its scope requirement and each of its
conditions; a deny rule is unsatisfied for the callers its conditions name (every
caller, when it has none) and satisfied by everyone else, so it never grants by
itself. Rule order does not matter; a narrower rule can only add requirements;
whatever no rule matches is denied. A route may appear in several rules only when
all but one of them are deny rules with conditions ("deny client X here").

Every mistake is a :class:`RulesError` naming the file, the line, the rule
and the fix.

PyYAML is imported only to compile a YAML text: a cold start that finds the rules' compiled form
(:mod:`authorizer.compiled_rules`, written by ``make sam-build``) beside the rules file never
imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from authorizer.caller import Caller
from authorizer.conditions import CONDITION_KEYS, Conditions, condition_problem
from authorizer.errors import Reason, RulesError
from authorizer.fingerprint import fingerprint
from authorizer.route import RoutePattern, RouteProblem, parse_route
from authorizer.route_index import RouteIndex
from authorizer.scope import SCOPE_TOKEN

if TYPE_CHECKING:  # imported when compiling YAML only (see the module's docstring)
    from authorizer.yaml_source import LineDict

RULES_VERSION = 1
TOP_LEVEL_KEYS = ("version", "rules", "description")
RULE_KEYS = ("route", "scopes", "any_scopes", "authenticated", "deny", *CONDITION_KEYS, "id", "description")
NO_CONDITIONS = Conditions()  # a rule's default: none on the caller (immutable, so shared)


class Rule:
    """One rule of the file, compiled. Immutable by convention: nothing sets an attribute after
    ``__init__``. Two rules are equal when every attribute is."""

    __slots__ = ("index", "line", "id", "route", "scopes", "any_scopes", "authenticated", "deny", "description",
                 "conditions")

    def __init__(
        self,
        index: int,
        line: int,
        id: str,  # named as in rules.yaml and the compiled form
        route: RoutePattern,
        scopes: frozenset[str],
        any_scopes: frozenset[str],
        authenticated: bool,
        deny: bool,
        description: str = "",
        conditions: Conditions = NO_CONDITIONS,
    ) -> None:
        self.index = index  # 1-based position in the file
        self.line = line
        self.id = id
        self.route = route
        self.scopes = scopes  # every one required
        self.any_scopes = any_scopes  # at least one required (when non-empty)
        self.authenticated = authenticated
        self.deny = deny
        self.description = description
        self.conditions = conditions  # on the caller: clients, orgs, issuers

    def _values(self) -> tuple[object, ...]:
        return (self.index, self.line, self.id, self.route, self.scopes, self.any_scopes, self.authenticated,
                self.deny, self.description, self.conditions)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Rule):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def satisfied_by(self, caller: Caller) -> bool:
        """A deny rule: unless its conditions name the caller (no conditions name everyone).
        Any other rule: when the caller meets its conditions and its scope requirement."""
        if self.deny:
            return not self.conditions.met_by(caller)
        if self.conditions and not self.conditions.met_by(caller):
            return False
        granted = caller.scopes
        if not self.scopes <= granted:
            return False
        return not self.any_scopes or not self.any_scopes.isdisjoint(granted)

    @property
    def requirement(self) -> str:
        """The rule's requirement in words, e.g. ``read:orders AND (admin OR support)``,
        ``DENY client x``, ``read:orders AND client billing-job``."""
        condition = self.conditions.text
        if self.deny:
            return f"DENY {condition}" if condition else "DENY"
        parts = sorted(self.scopes)
        if self.any_scopes:
            alternatives = " OR ".join(sorted(self.any_scopes))
            parts.append(f"({alternatives})" if parts and len(self.any_scopes) > 1 else alternatives)
        if condition:
            parts.append(condition)
        return " AND ".join(parts) if parts else "any valid token"


class RouteDecision(NamedTuple):
    """The rules' decision for one method and path, with its reasons."""

    allowed: bool
    reason: Reason  # ALLOWED, NO_MATCHING_RULE, DENIED_BY_RULE, CALLER_NOT_ALLOWED or INSUFFICIENT_SCOPE
    matched: tuple[Rule, ...]
    failed: tuple[Rule, ...]
    missing_scopes: tuple[str, ...]  # every scope that a failed rule needs and the token lacks
    unmet_conditions: tuple[str, ...] = ()  # clients, orgs, issuers: a failed rule's lists without the caller

    @property
    def matched_ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.matched)


class RuleSet:
    """The compiled rules of one file, indexed for decisions. Immutable by convention: nothing sets
    an attribute after ``__init__``. Two are equal when their rules, source, digest and known
    scopes are (``index`` and ``named`` follow from the rules)."""

    __slots__ = ("rules", "source", "digest", "known_scopes", "index", "named")

    def __init__(self, rules: tuple[Rule, ...], source: str, digest: str, known_scopes: frozenset[str]) -> None:
        self.rules = rules
        self.source = source
        self.digest = digest  # first 12 hex digits of the file's SHA-256
        self.known_scopes = known_scopes
        self.index = RouteIndex.build(rules)
        self.named = Conditions.union(rule.conditions for rule in rules)  # every client, org, issuer a rule names

    def _values(self) -> tuple[object, ...]:
        return (self.rules, self.source, self.digest, self.known_scopes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleSet):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def matching(self, method: str, path: str) -> tuple[Rule, ...]:
        """The rules matching a request, in file order (looked up in the index, not scanned)."""
        candidates = self.index.candidates(method, path)
        return tuple(rule for rule in candidates if rule.route.matches(method, path))  # type: ignore[misc]

    def decide(self, method: str, path: str, caller: Caller) -> RouteDecision:
        matched = self.matching(method, path)
        if not matched:
            return RouteDecision(False, Reason.NO_MATCHING_RULE, (), (), ())
        failed = tuple(rule for rule in matched if not rule.satisfied_by(caller))
        if not failed:
            if any(not rule.deny for rule in matched):
                return RouteDecision(True, Reason.ALLOWED, matched, (), ())
            # only deny rules that spare this caller: nothing grants it
            return RouteDecision(False, Reason.NO_MATCHING_RULE, matched, (), ())
        missing: dict[str, None] = {}
        unmet: dict[str, None] = {}
        for rule in failed:
            if rule.deny:
                continue
            unmet.update(dict.fromkeys(rule.conditions.unmet_by(caller)))
            for scope in sorted(rule.scopes - caller.scopes):
                missing[scope] = None
            if rule.any_scopes and rule.any_scopes.isdisjoint(caller.scopes):
                for scope in sorted(rule.any_scopes):
                    missing[scope] = None
        if any(rule.deny for rule in failed):
            reason = Reason.DENIED_BY_RULE
        else:
            reason = Reason.CALLER_NOT_ALLOWED if unmet else Reason.INSUFFICIENT_SCOPE
        return RouteDecision(False, reason, matched, failed, tuple(missing), tuple(unmet))

    def partition(self, caller: Caller) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
        """(rules that grant the caller, rules that refuse it): the two halves of a policy.

        A rule grants when it is not a deny rule and the caller satisfies it; it refuses when the
        caller does not satisfy it. A deny rule that spares the caller does neither.
        """
        granting = tuple(rule for rule in self.rules if not rule.deny and rule.satisfied_by(caller))
        refusing = tuple(rule for rule in self.rules if not rule.satisfied_by(caller))
        return granting, refusing

    def relevant(self, caller: Caller) -> Caller:
        """The part of ``caller`` these rules can tell apart: two callers with the same relevant
        part get the same decisions and the same policy (the policy memo's key).

        That is the scopes some rule names, and the client, org and issuer only when some rule
        names that very value (:meth:`Conditions.named`); rules without conditions read scopes only.
        """
        scopes = caller.scopes & self.known_scopes
        if not self.named:
            return Caller(scopes)
        return self.named.named(Caller(scopes, caller.client_id, caller.organization, caller.issuer))


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, line: int | None, message: str) -> RulesError:
        from authorizer.yaml_source import located

        return RulesError(located(self.source, line, message), reason=Reason.RULES_INVALID)


def _scope_list(
    raw: Any, key: str, where: str, line: int, problems: _Problems
) -> frozenset[str]:
    if isinstance(raw, str):
        raise problems.fail(line, f"{where}: '{key}' must be a list, e.g. {key}: [{raw}]")
    if not isinstance(raw, list) or not raw:
        raise problems.fail(line, f"{where}: '{key}' must be a non-empty list of scope names")
    for item in raw:
        if not isinstance(item, str) or not SCOPE_TOKEN.fullmatch(item):
            raise problems.fail(
                line,
                f"{where}: '{key}' holds {item!r}, which is not a scope name "
                "(a string without spaces or quotes; quote it if YAML reads it as a number)",
            )
    if len(set(raw)) != len(raw):
        raise problems.fail(line, f"{where}: '{key}' lists a scope twice; list it once")
    return frozenset(raw)


def _flag(raw: Any, key: str, where: str, line: int, problems: _Problems) -> bool:
    if raw is not True:
        raise problems.fail(
            line, f"{where}: '{key}' can only be true; remove the key instead of setting {raw!r}"
        )
    return True


def _conditions(raw: LineDict, where: str, key_line: Any, problems: _Problems) -> Conditions:
    lists: dict[str, frozenset[str]] = {}
    for key in CONDITION_KEYS:
        if key in raw:
            problem = condition_problem(raw[key], key)
            if problem:
                raise problems.fail(key_line(key), f"{where}: {problem}")
            lists[key] = frozenset(raw[key])
    return Conditions(**lists)


def _compile_rule(index: int, raw: Any, line: int, problems: _Problems) -> Rule:
    from authorizer.yaml_source import LineDict, suggest_key

    where = f"rule {index}"
    if not isinstance(raw, LineDict):
        raise problems.fail(line, f"{where}: must be a mapping with 'route' and a requirement")
    route_text = raw.get("route")
    if isinstance(route_text, str):
        where = f"rule {index} ({route_text})"
    for key in raw:
        if key not in RULE_KEYS:
            raise problems.fail(
                raw.key_lines[key], f"{where}: unknown key '{key}'{suggest_key(key, RULE_KEYS)}"
            )
    if "route" not in raw:
        raise problems.fail(line, f"{where}: has no 'route'; add e.g. route: GET /orders/*")
    try:
        route = parse_route(route_text)
    except RouteProblem as problem:
        raise problems.fail(raw.key_lines["route"], f"{where}: {problem}") from None

    def key_line(key: str) -> int:
        return raw.key_lines.get(key, line)

    scopes = (
        _scope_list(raw["scopes"], "scopes", where, key_line("scopes"), problems)
        if "scopes" in raw
        else frozenset()
    )
    any_scopes = (
        _scope_list(raw["any_scopes"], "any_scopes", where, key_line("any_scopes"), problems)
        if "any_scopes" in raw
        else frozenset()
    )
    authenticated = (
        _flag(raw["authenticated"], "authenticated", where, key_line("authenticated"), problems)
        if "authenticated" in raw
        else False
    )
    deny = _flag(raw["deny"], "deny", where, key_line("deny"), problems) if "deny" in raw else False
    conditions = _conditions(raw, where, key_line, problems)
    kinds = [k for k in ("deny", "authenticated") if k in raw]
    if scopes or any_scopes:
        kinds.append("scopes")
    if not kinds and not conditions:
        raise problems.fail(
            line,
            f"{where}: states no requirement; add 'scopes', 'any_scopes', "
            "'authenticated: true', 'deny: true' or a condition ('clients', 'orgs', 'issuers')",
        )
    if len(kinds) > 1:
        raise problems.fail(
            line,
            f"{where}: combines {' and '.join(kinds)}; a rule is either scopes/any_scopes, "
            "authenticated or deny (each may add 'clients', 'orgs', 'issuers')",
        )
    rule_id = raw.get("id", route.text)
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise problems.fail(key_line("id"), f"{where}: 'id' must be a non-empty string")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise problems.fail(key_line("description"), f"{where}: 'description' must be a string")
    return Rule(
        index=index,
        line=line,
        id=rule_id,
        route=route,
        scopes=scopes,
        any_scopes=any_scopes,
        authenticated=authenticated,
        deny=deny,
        description=description,
        conditions=conditions,
    )


def compile_rules(text: str, source: str) -> RuleSet:
    """Compile the text of a rules file; ``source`` names it in messages."""
    from authorizer.yaml_source import YamlProblem, load_versioned_list

    problems = _Problems(source)
    try:
        _, raw_rules = load_versioned_list(
            text, version=RULES_VERSION, list_key="rules", keys=TOP_LEVEL_KEYS
        )
    except YamlProblem as problem:
        raise problems.fail(problem.line, str(problem)) from None
    rules: list[Rule] = []
    seen_routes: dict[tuple[tuple[str, str], Conditions | None], Rule] = {}
    seen_ids: dict[str, Rule] = {}
    for position, (raw, line) in enumerate(zip(raw_rules, raw_rules.item_lines), start=1):
        rule = _compile_rule(position, raw, line, problems)
        # a route appears once, but for deny rules with conditions beside it ("deny client X here"),
        # which cannot be merged into it; each of those once per set of conditions
        key = (rule.route.key, rule.conditions) if rule.deny and rule.conditions else (rule.route.key, None)
        earlier = seen_routes.get(key)
        if earlier is not None:
            raise problems.fail(
                line,
                f"rule {position} ({rule.route.text}) repeats the route of rule {earlier.index} "
                f"(line {earlier.line}){' and its conditions' if key[1] else ''}; merge them into one rule",
            )
        if rule.id in seen_ids:
            raise problems.fail(
                line,
                f"rule {position}: id '{rule.id}' is already used by rule {seen_ids[rule.id].index}; "
                "give this rule an 'id' of its own",
            )
        seen_routes[key] = rule
        seen_ids[rule.id] = rule
        rules.append(rule)
    known = frozenset().union(*(rule.scopes | rule.any_scopes for rule in rules))
    digest = fingerprint(text)
    return RuleSet(rules=tuple(rules), source=source, digest=digest, known_scopes=known)


def read_rules_text(path: Path, max_bytes: int = 1024 * 1024) -> str:
    """The text of a rules file (or of its compiled form), or a RulesError naming the file and the fix."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise RulesError(f"{path}: file is larger than {max_bytes // (1024 * 1024)} MiB; split or simplify the rules")
        return path.read_text(encoding="utf-8")
    except RulesError:
        raise
    except FileNotFoundError:
        raise RulesError(f"{path}: rules file not found; set RULES_FILE or add the file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RulesError(f"{path}: cannot read the rules file ({error.__class__.__name__})") from None


def load_rules(path: Path) -> RuleSet:
    """Read the rules file ``path`` names (the shell's one call), from its compiled form if it can.

    ``rules.compiled.json`` (or any ``*.compiled.json``) is loaded as it is. A rules file with its
    compiled form beside it (``rules.yaml`` and ``rules.compiled.json``) is loaded from that form,
    which must have been compiled from this very text; without one, the file is compiled here.
    """
    from authorizer import compiled_rules

    if compiled_rules.is_compiled_path(path):
        return compiled_rules.load_compiled_rules(path)
    text = read_rules_text(path)
    compiled = compiled_rules.compiled_path_for(path)
    if compiled.is_file():
        return compiled_rules.load_compiled_rules(compiled, source_text=text)
    return compile_rules(text, str(path))
