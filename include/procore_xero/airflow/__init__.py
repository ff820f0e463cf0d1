"""Airflow glue: hooks that build API clients from Connections, and the extract task bodies."""
