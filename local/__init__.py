"""scopegate's local stack: an Auth0-style issuer and an API Gateway (REST) emulator.

``python -m local`` (or ``make run``) starts both on 127.0.0.1; see README.md "Run it locally".
"""
