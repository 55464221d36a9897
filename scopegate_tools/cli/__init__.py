"""The rules tools: ``python -m scopegate_tools check|explain|test|diff|matrix`` (see README "Rules tools").

Never imported by the Lambda function; they reuse its rules compiler
(:mod:`authorizer.rules`) and policy builder (:mod:`authorizer.policy`).
"""
