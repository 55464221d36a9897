"""The rules tools: ``python -m authorizer check|explain|test|diff|matrix`` (see README "Rules tools").

Never imported by the Lambda function; they reuse its rules compiler
(:mod:`authorizer.rules`) and policy builder (:mod:`authorizer.policy`).
"""
