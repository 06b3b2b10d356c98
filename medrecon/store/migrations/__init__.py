"""Alembic migrations of the decision store (run programmatically by ``Store.open``)."""
