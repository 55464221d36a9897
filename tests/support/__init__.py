"""Test helpers shared by every tier: keys, tokens and a real JWKS server on 127.0.0.1."""
