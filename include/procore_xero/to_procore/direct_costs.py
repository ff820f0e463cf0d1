"""Direct costs from Xero: the v1.0 sync action takes a direct cost without lines (Procore publishes no
``line_items`` there and no v1.1 sync), so the costs are synced first, then every line of the batch in one
call of the direct cost line-items sync, each line keyed by ``origin_id`` = the cost's ``origin_id`` and its
position (``…:1``, ``…:2``) and tied to its cost by ``direct_cost_id``.

Safe to repeat after a failure anywhere: both syncs upsert by ``origin_id``. A cost that now has fewer
lines than Procore holds (its ``line_items_count`` says so) has the surplus deleted: one list of its
lines and one delete per surplus line. A cost whose lines Procore refused is reported failed with the
reasons, so it is held and sent again on the next run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from procore_xero.amounts import amounts_as_text
from procore_xero.clients import ProcoreClient, SyncResult
from procore_xero.clients.errors import RequestRejected

V10 = "/rest/v1.0/projects/{project_id}/direct_costs"
LINES_SYNC = f"{V10}/line_items/sync"
LINES_LIST = f"{V10}/line_items"
LINE_PATH = f"{V10}/{{cost_id}}/line_items/{{id}}"
NOT_FOUND = 404


def post_direct_costs(
    client: ProcoreClient, sync_path: str, project_id: int, records: Sequence[Mapping[str, Any]]
) -> SyncResult:
    """``records``: direct costs with ``line_items``; the answer has the costs whose lines all landed and
    an error (with the cost's ``origin_id``) for every cost or line Procore refused."""
    lines_of = {str(r["origin_id"]): list(r.get("line_items") or []) for r in records}
    heads = [{k: v for k, v in r.items() if k != "line_items"} for r in records]
    costs = client.sync(sync_path, heads, idempotent=True)
    cost_of_line: dict[str, str] = {}
    lines: list[dict[str, Any]] = []
    for entity in costs.entities:
        origin = str(entity.get("origin_id"))
        for position, line in enumerate(lines_of.get(origin, []), start=1):
            line_origin = f"{origin}:{position}"
            cost_of_line[line_origin] = origin
            lines.append({**amounts_as_text(line), "direct_cost_id": entity["id"], "origin_id": line_origin})
    path = LINES_SYNC.format(project_id=project_id)
    answer = client.sync(path, lines, idempotent=True) if lines else SyncResult()
    refused = {
        cost_of_line.get(str(error.get("origin_id")), ""): error.get("errors") for error in answer.errors
    }
    for entity in costs.entities:
        origin = str(entity.get("origin_id"))
        if origin not in refused and int(entity.get("line_items_count") or 0) > len(lines_of.get(origin, [])):
            _drop_surplus(client, project_id, entity["id"], len(lines_of.get(origin, [])), origin)
    errors = costs.errors + [
        {"origin_id": origin, "errors": {"line_items": [str(reasons)]}} for origin, reasons in refused.items()
    ]
    return SyncResult(
        entities=[e for e in costs.entities if str(e.get("origin_id")) not in refused], errors=errors
    )


def _drop_surplus(client: ProcoreClient, project_id: int, cost_id: int, keep: int, origin: str) -> None:
    """Delete the cost's lines beyond the first ``keep`` this sync wrote (by their ``origin_id``)."""
    wanted = {f"{origin}:{position}" for position in range(1, keep + 1)}
    params = {"filters[direct_cost_id]": cost_id}
    for page in client.pages(LINES_LIST.format(project_id=project_id), params):
        for line in page:
            if line.get("origin_id") not in wanted:
                path = LINE_PATH.format(project_id=project_id, cost_id=cost_id, id=line["id"])
                try:
                    client.send("DELETE", path, None, idempotent=True)
                except RequestRejected as error:
                    if error.status != NOT_FOUND:  # already gone (a retried delete): as wanted
                        raise
