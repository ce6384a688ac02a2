"""The application registration's settings, declared once (surface/attributes.py), and what follows from them."""

from .attributes import APPLICATION, SERVICE_PRINCIPAL, TABLE, Attribute
from .values import defaults, desired, live, merged, select, service_principal_tags, settings_of, shown

__all__ = ["APPLICATION", "SERVICE_PRINCIPAL", "TABLE", "Attribute", "defaults", "desired", "live", "merged", "select",
           "service_principal_tags", "settings_of", "shown"]
