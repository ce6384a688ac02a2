"""Credentials an application signs in with, managed as resources of the plan: federated identity credentials
(`federated.py`), public certificates pinned by thumbprint (`certificates.py`), and the expiry report
(`report.py`). Client secrets' values are never read, shown or stored by idamconf: the tenant keeps only their
hint, and the report shows them by display name, key id and expiry."""
