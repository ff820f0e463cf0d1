"""Projects -> options of the project tracking category (``<job number> <project name>``, ≤ 50 chars)."""

from __future__ import annotations

import pandas as pd

from procore_xero.mapping.frames import finish, id_text, pluck, text_or_none
from procore_xero.mapping.spec import MappingSpec
from procore_xero.objects.tracking_options import TRACKING_OPTIONS

OPTION_NAME_MAX = 50
COLUMNS = ("project_id", "job_number", "project_name", "stage_name", "option_name")


def transform_tracking_options(projects: pd.DataFrame, spec: MappingSpec) -> pd.DataFrame:
    """Every staged project; validation holds those without a job number or not at the send stage."""
    frame = pd.DataFrame(index=projects.index)
    frame["project_id"] = id_text(projects["id"])
    frame["job_number"] = text_or_none(projects["project_number"])
    frame["project_name"] = projects["name"].astype(object)
    frame["stage_name"] = pluck(projects["project_stage"], "name")
    frame["option_name"] = option_names(frame["job_number"], frame["project_name"])
    frame["source_id"] = frame["project_id"]
    frame["label"] = "Project " + frame["option_name"]
    return finish(
        frame,
        target_type=TRACKING_OPTIONS.target_type,
        source_type="procore/projects",
        natural_key=TRACKING_OPTIONS.natural_key,
        fields=spec.fields("tracking_options"),
        columns=COLUMNS,
    )


def option_names(job_numbers: pd.Series, project_names: pd.Series) -> pd.Series:
    """``<job number> <name>`` cut to Xero's limit (the name alone when there is no job number)."""
    full = (job_numbers.fillna("").astype(str) + " " + project_names.astype(str)).str.strip()
    return full.str.slice(0, OPTION_NAME_MAX).str.rstrip().astype(object)


def project_options(tracking_options: pd.DataFrame) -> dict[str, str]:
    """Project id -> option name, for the document transforms (the DAG passes only the synced ones)."""
    return dict(zip(tracking_options["project_id"], tracking_options["option_name"], strict=True))
