"""A worst-case bound on the size of any policy a rule set can produce on one API stage.

Every rule contributes one resource per verb (``*`` expands to the seven
verbs), ``<prefix>/<VERB><pattern>``, to exactly one of the two statements
(Allow drops the resources that Deny holds). In compact JSON each resource
costs its length plus two quotes and one comma (ASCII only: route patterns
and ARN prefixes never need escaping), and the skeleton of a document with
both statements is fixed. So for EVERY scope set::

    policy_size(document) <= SKELETON + sum over rules and their verbs of (len(resource) + 3)

The bound holds with equality for the full policy up to the resources shared by
two rules and one comma per statement; the policy scopegate returns is that
full policy with resources removed (or one Deny of the stage, shorter than any
resource list), so the bound holds for it too. The rules checker (``python -m scopegate_tools check``) reports the
largest policy itself; ``test_no_policy_is_larger_than_what_the_rules_checker_reports``
checks that no token's policy exceeds that figure.
"""

from __future__ import annotations

import json

from authorizer.arn import ApiStage
from authorizer.policy import INVOKE, POLICY_VERSION
from authorizer.rules import RuleSet


def _compact(document: object) -> int:
    return len(json.dumps(document, separators=(",", ":")).encode("utf-8"))


SKELETON = _compact(
    {
        "Version": POLICY_VERSION,
        "Statement": [
            {"Action": INVOKE, "Effect": "Allow", "Resource": []},
            {"Action": INVOKE, "Effect": "Deny", "Resource": []},
        ],
    }
)


def policy_size_bound(ruleset: RuleSet, api: ApiStage) -> int:
    """The largest :func:`authorizer.policy.policy_size` any token can get from ``ruleset`` on ``api``."""
    resources = sum(
        len(api.resource(method, rule.route.pattern)) + 3
        for rule in ruleset.rules
        for method in rule.route.methods
    )
    return SKELETON + resources
