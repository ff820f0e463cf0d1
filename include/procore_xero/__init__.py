"""The Procore <-> Xero sync library: importable and testable without a running Airflow."""
