"""Developer and evaluator commands behind the Makefile: demo, benchmarks, local Airflow."""
