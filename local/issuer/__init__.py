"""A local token issuer that speaks Auth0's ``/oauth/token`` wire format (built on Authlib)."""
