"""`idamconf export`: the tenant's applications written as application files, to adopt them (plan/adoption.py)."""
