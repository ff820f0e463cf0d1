"""The objects the sync sends to Xero, by name (declared in ``procore_xero.objects``).

Each is called the same way whatever its transform's own signature: ``transform`` receives the staged
Procore frames by type (``staged``), what is known in Xero and the mapping spec.
"""

from __future__ import annotations

from procore_xero.objects import OBJECTS, Direction, SyncObject

STEPS: dict[str, SyncObject] = {o.name: o for o in OBJECTS if o.direction is Direction.TO_XERO}
