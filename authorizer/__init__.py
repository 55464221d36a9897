"""scopegate: a policy-driven Lambda TOKEN authorizer for API Gateway (REST) and Auth0 M2M tokens.

The Lambda handler is :func:`authorizer.app.lambda_handler`.
"""

__version__ = "0.1.0"
