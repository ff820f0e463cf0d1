# The sync on Apache Airflow's official image: requirements-runtime.txt (the runtime lock, which pins the same
# apache-airflow version as this FROM and the Celery/Redis providers; no test or lint tools) plus this
# project as a package. apache-airflow is named with the image's own $AIRFLOW_VERSION, as the image's docs
# ask, so nothing can move it. Only the paths the image needs are copied, so a local .env, .venv, data/ or
# out/ never ends up in it.
FROM apache/airflow:3.3.2-python3.11

USER airflow
COPY --chown=airflow:root requirements-runtime.txt /opt/pxsync/requirements-runtime.txt
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/pxsync/requirements-runtime.txt

COPY --chown=airflow:root pyproject.toml README.md /opt/pxsync/
COPY --chown=airflow:root include /opt/pxsync/include
COPY --chown=airflow:root dags /opt/pxsync/dags
COPY --chown=airflow:root plugins /opt/pxsync/plugins
COPY --chown=airflow:root deploy /opt/pxsync/deploy
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e /opt/pxsync \
 && mkdir -p /opt/airflow/data

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/pxsync/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/pxsync/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    PXSYNC_DATA_DIR=/opt/airflow/data
