"""make airflow's parts: the metadata server, the mail catcher, the component watch."""
