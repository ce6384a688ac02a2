"""A project's record in the tenant: the configuration bound to it (its home) and the lease of the apply running."""

from .home import configuration_home
from .lease import Lease, LeaseHeld, held
from .record import Record, home_problems, read_records, record_name

__all__ = ["Lease", "LeaseHeld", "Record", "configuration_home", "held", "home_problems", "read_records",
           "record_name"]
