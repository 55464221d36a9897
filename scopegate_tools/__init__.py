"""scopegate's tools: the rules tools (``python -m scopegate_tools check|explain|test|diff|matrix``),
the SAM template readers, and the IAM policy evaluator used as a test oracle and by the local
gateway.

They import the runtime package (:mod:`authorizer`, what runs in Lambda) and never the other way
round; ``sam build`` ships only the runtime.
"""
