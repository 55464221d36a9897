"""The 20-line PyJWT + PyJWKClient authorizer that cold start is compared with."""

import os

import jwt

jwks_client = jwt.PyJWKClient(os.environ["JWKS_URI"])


def lambda_handler(event, context):
    token = event["authorizationToken"].removeprefix("Bearer ")
    try:
        key = jwks_client.get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=["RS256"],
                            audience=os.environ["AUDIENCE"], issuer=os.environ["TOKEN_ISSUER"])
    except jwt.PyJWTError:
        raise Exception("Unauthorized") from None
    statement = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
    return {"principalId": claims["sub"],
            "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
            "context": {"scope": claims.get("scope", "")}}
