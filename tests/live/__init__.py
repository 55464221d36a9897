"""Opt-in end-to-end tests against a deployed stack and a real Auth0 tenant (pytest -m live)."""
