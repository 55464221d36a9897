"""Which authorizer mode an API needs: policy sizes per mode, per client, and the advice (pure).

TOKEN mode (the default) returns one policy per token for the whole API stage: one authorizer
invocation per token and ``ReauthorizeEvery``, but the policy grows with what the token may do.
Per-route mode (template parameter ``AuthorizerMode: REQUEST``) returns a policy for one route:
small at any API size, at the price of one invocation per token, route and ``ReauthorizeEvery``.
So TOKEN mode is advised whenever every policy it can return is proven to fit the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from authorizer.policy import build_policy_document, policy_size
from authorizer.route_policy import build_route_policy_document
from authorizer.rules import RuleSet
from scopegate_tools.cli.decision_tables import Client
from scopegate_tools.cli.policy_budget import PolicyBudget, measure_policy, measure_route_policies, worst_case_api
from scopegate_tools.cli.template_routes import TemplateRoute

TOKEN, REQUEST = "TOKEN", "REQUEST"
SWITCH = "deploy the per-route mode (template parameter AuthorizerMode=REQUEST)"


@dataclass(frozen=True, slots=True)
class ClientSizes:
    """One decision-table client's policies: for the whole API, and its largest for one route."""

    name: str
    scopes: tuple[str, ...]
    token_bytes: int
    route_bytes: int
    route: str  # the route of its largest per-route policy


@dataclass(frozen=True, slots=True)
class ModeSizes:
    token: PolicyBudget  # the largest whole-API policy (TOKEN mode)
    per_route: PolicyBudget  # the largest one-route policy (per-route mode)
    deployed: str  # TOKEN or REQUEST, as the template's authorizer says
    clients: tuple[ClientSizes, ...]

    @property
    def deployed_budget(self) -> PolicyBudget:
        return self.per_route if self.deployed == REQUEST else self.token

    @property
    def advised(self) -> str | None:
        """The mode whose every policy is proven to fit (TOKEN first), or None when neither does."""
        for mode, budget in ((TOKEN, self.token), (REQUEST, self.per_route)):
            if not (budget.resource_too_long or budget.over_budget or budget.may_exceed):
                return mode
        return None


def fits(budget: PolicyBudget) -> str:
    if budget.resource_too_long:
        return "a resource is too long"
    if budget.over_budget:
        return "over the budget"
    return "may exceed the budget" if budget.may_exceed else "fits"


def measure_modes(
    ruleset: RuleSet,
    routes: Sequence[TemplateRoute],
    stage: str,
    budget_bytes: int,
    *,
    per_route_deployed: bool,
    clients: Sequence[Client] = (),
) -> ModeSizes:
    pairs = [(method, route.resource) for route in routes for method in route.methods]
    api = worst_case_api(stage)
    token = measure_policy(ruleset, stage, budget_bytes)
    sizes = []
    for client in () if token.resource_too_long else clients:
        token_bytes = policy_size(build_policy_document(ruleset, client.caller, api))
        route_bytes, route = 0, ""
        for method, resource in pairs:
            size = policy_size(build_route_policy_document(ruleset, client.caller, api, method, resource))
            if size > route_bytes:
                route_bytes, route = size, f"{method} {resource.text}"
        sizes.append(ClientSizes(client.name, tuple(sorted(client.scopes)), token_bytes, route_bytes, route))
    return ModeSizes(
        token=token,
        per_route=measure_route_policies(ruleset, pairs, stage, budget_bytes),
        deployed=REQUEST if per_route_deployed else TOKEN,
        clients=tuple(sizes),
    )


def _how(budget: PolicyBudget) -> str:
    if budget.exhaustive:
        return f"every one of the {budget.scope_sets} scope sets measured"
    return f"the largest of {budget.scope_sets} scope sets tried; none can exceed {budget.bound_bytes} bytes"


def render_modes(sizes: ModeSizes) -> list[str]:
    token, per_route = sizes.token, sizes.per_route
    lines = [f"Policy size by mode (budget {token.budget_bytes} bytes; the template deploys {sizes.deployed}):"]
    for mode, scope, budget in ((TOKEN, "whole API", token), (REQUEST, "one route", per_route)):
        where = f" on {budget.route}" if budget.route else ""
        lines.append(
            f"  {mode:<8} {scope:<10} largest {budget.largest_bytes} bytes, {budget.resources} resources, "
            f"for scopes [{' '.join(budget.scopes)}]{where} ({_how(budget)}): {fits(budget)}"
        )
    advised = sizes.advised
    if advised == TOKEN:
        lines.append("Advice: TOKEN mode: every whole-API policy fits, and it invokes the authorizer once per "
                     "token, not once per token and route.")
    elif advised == REQUEST:
        lines.append("Advice: per-route mode (AuthorizerMode=REQUEST): a whole-API policy can exceed the budget, "
                     "every one-route policy fits.")
    else:
        lines.append("Advice: neither mode fits every policy: merge rules with wildcards.")
    if sizes.clients:
        width = max(len(client.name) for client in sizes.clients)
        lines.append("Policy size per client of the decision tables (bytes):")
        lines.append(f"  {'CLIENT':<{width}}  {'TOKEN':>6}  {'ONE ROUTE':>9}  LARGEST ROUTE")
        for client in sizes.clients:
            lines.append(f"  {client.name:<{width}}  {client.token_bytes:>6}  {client.route_bytes:>9}  {client.route}")
    return lines


def modes_json(sizes: ModeSizes) -> dict[str, Any]:
    def one(budget: PolicyBudget) -> dict[str, Any]:
        return {"largest_bytes": budget.largest_bytes, "resources": budget.resources,
                "scopes_of_largest": list(budget.scopes), "route_of_largest": budget.route or None,
                "exhaustive": budget.exhaustive, "bound_bytes": budget.bound_bytes, "verdict": fits(budget)}

    return {
        "deployed": sizes.deployed,
        "advised": sizes.advised,
        "token": one(sizes.token),
        "per_route": one(sizes.per_route),
        "clients": [
            {"name": c.name, "scopes": list(c.scopes), "token_bytes": c.token_bytes,
             "route_bytes": c.route_bytes, "route_of_largest": c.route}
            for c in sizes.clients
        ],
    }
