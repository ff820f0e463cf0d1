"""Procore projects -> Xero tracking options (the project category every document line is tracked to)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procore_xero.objects.model import Direction, SyncObject, XeroTarget
from procore_xero.objects.rules import Rule, Setting, present

if TYPE_CHECKING:
    import pandas as pd

    from procore_xero.objects.model import Frames


def transform(frames: Frames, _known: Any, spec: Any) -> pd.DataFrame:
    from procore_xero.mapping.tracking_options import transform_tracking_options

    return transform_tracking_options(frames["projects"], spec)


TRACKING_OPTIONS = SyncObject(
    name="tracking_options",
    direction=Direction.TO_XERO,
    dag="procore_to_xero",
    staged=("projects",),
    transform=transform,
    mapping="procore_xero.mapping.tracking_options",
    target=XeroTarget("TrackingOptions", "Options", "TrackingOptionID", updatable=False),
    natural_key={"Name": "option_name"},
    rules=(
        *present("job_number", "missing_job_number", "{label}: the project has no job number"),
        Rule(
            "wrong_stage",
            "ExpectColumnValuesToNotBeNull",
            {"column": "stage_name"},
            "{label}: the project has no stage; only projects at '{send_to_xero_stage}' are sent",
        ),
        Rule(
            "wrong_stage",
            "ExpectColumnValuesToBeInSet",
            {"column": "stage_name", "value_set": [Setting("send_to_xero_stage")]},
            "{label}: the project is at stage '{stage_name}'; only '{send_to_xero_stage}' is sent",
        ),
        Rule(
            "duplicate_job_number",
            "ExpectColumnValuesToBeUnique",
            {"column": "job_number"},
            "{label}: job number {job_number} is used by another project",
        ),
    ),
    referenced_later=("procore/projects",),
)
