"""Tests of the analytics services on real SQLite and PostgreSQL."""
