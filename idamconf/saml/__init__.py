"""SAML2 single sign-on applications (docs/saml.md): the `sso.saml` block of an application file.

- `settings.py`: the block as a model (entity id, reply URLs, sign-on and logout URLs, relay state, the user
  identifier and further claims, the signing certificate's validity, notification e-mails, SP metadata).
- `rules.py`: what `validate` refuses (an e-mail or UPN based identifier, GUIDs that are not RFC 4122, a token
  lifetime, a certificate valid longer than three years, hostile or mismatched SP metadata).
- `sp_metadata.py`: the service provider's metadata XML, read safely and checked against its pinned thumbprint.
- `resources.py`, `read.py`, `apply.py`: the plan's resources, what plan reads, and apply's steps in Graph's order.
- `idp_metadata.py`: the identity provider's metadata document, which `idamconf saml metadata` writes and the
  emulator serves signed.
"""
