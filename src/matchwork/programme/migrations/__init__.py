"""The Alembic migrations of the programme database (run by :mod:`matchwork.programme.db`, no alembic.ini needed)."""
