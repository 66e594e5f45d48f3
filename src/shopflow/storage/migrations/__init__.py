"""Alembic migrations for the ShopFlow database (one chain for SQLite and PostgreSQL)."""
