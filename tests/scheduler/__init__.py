"""DAG runs through the real scheduler (make airflow's setup)."""
