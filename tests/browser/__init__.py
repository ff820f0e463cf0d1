"""End-to-end tests of the Airflow web UI in a real browser."""
