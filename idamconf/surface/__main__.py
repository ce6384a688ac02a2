"""`python -m idamconf.surface`: write the table's settings into schemas/application.schema.json."""

import sys

from .schema import main

sys.exit(main())
