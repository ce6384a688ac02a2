"""The emulated tenant's identity provider: OpenID Connect discovery, its signing keys, the v2.0 token endpoint,
and the tokens Graph's endpoints check when the tenant enforces permissions. See docs/identity-provider.md."""
