"""The national e-ID: the OpenID Connect client that signs candidates up and in, and the
identity-provider simulator (`hemis idp-sim`) that stands in for the national provider."""
