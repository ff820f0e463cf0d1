# The sync on Apache Airflow's official image: requirements.txt plus this project as a package.
FROM apache/airflow:3.3.2-python3.11

USER root
COPY --chown=airflow:root . /opt/pxsync
USER airflow
RUN pip install --no-cache-dir -r /opt/pxsync/requirements.txt \
 && pip install --no-cache-dir --no-deps --no-build-isolation -e /opt/pxsync

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/pxsync/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/pxsync/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    PXSYNC_DATA_DIR=/opt/airflow/data
