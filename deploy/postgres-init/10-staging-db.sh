#!/bin/bash
# Creates the staging database beside Airflow's metadata database (separate database, separate owner).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE USER pxsync WITH PASSWORD '${STAGING_DB_PASSWORD}';
CREATE DATABASE pxsync_staging OWNER pxsync;
SQL
