"""Links from a finding to its record in Procore's and Xero's web apps, built from the connections' API hosts
so a sandbox's hosts give sandbox links.

Web hosts: an ``api.`` host becomes Procore's ``app.`` / Xero's ``go.`` host (``api.procore.com`` ->
``app.procore.com``, ``api.xero.com`` -> ``go.xero.com``); any other host (Procore's ``sandbox.procore.com``,
an emulator on loopback) serves its web pages itself. Paths: Procore's documented web-app paths (its
side-panel view list: ``/<project>/project/commitments/<kind>/<id>``, ``…/requisitions/<id>``,
``/projects/<project>/budgeting``); Xero's long-standing ``go.xero.com`` pages, which open in the
organisation the user has selected (docs/fidelity.md says why no short code).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

XERO_PAGES = {
    "ACCPAY": "/AccountsPayable/View.aspx?InvoiceID={id}",
    "ACCREC": "/AccountsReceivable/View.aspx?InvoiceID={id}",
    "purchase_orders": "/Accounts/Payable/PurchaseOrders/View/{id}",
    "bank_transactions": "/Bank/ViewTransaction.aspx?bankTransactionID={id}",
    "contacts": "/Contacts/View/{id}",
}
COMMITMENT_KINDS = ("work_order_contracts", "purchase_order_contracts")


def web_host(api_url: str | None, web_prefix: str) -> str | None:
    """``https://api.procore.com/…`` -> ``https://app.procore.com`` (``web_prefix`` "app."); a host without
    ``api.`` is kept as it is; None or a URL without a host gives None."""
    if not api_url:
        return None
    parts = urlsplit(api_url if "://" in api_url else f"https://{api_url}")
    if not parts.netloc:
        return None
    netloc = web_prefix + parts.netloc[4:] if parts.netloc.startswith("api.") else parts.netloc
    return f"{parts.scheme}://{netloc}"


@dataclass(frozen=True)
class RecordLinks:
    """The two web hosts (None: no links for that system)."""

    procore: str | None = None
    xero: str | None = None

    @classmethod
    def from_api_hosts(cls, procore_api: str | None, xero_api: str | None) -> RecordLinks:
        return cls(web_host(procore_api, "app."), web_host(xero_api, "go."))

    def budget(self, project_id: str) -> str | None:
        return self._procore(f"/projects/{_id(project_id)}/budgeting")

    def commitment(self, project_id: str, kind: str, commitment_id: str) -> str | None:
        if kind not in COMMITMENT_KINDS:
            return None
        return self._procore(f"/{_id(project_id)}/project/commitments/{kind}/{_id(commitment_id)}")

    def requisition(self, project_id: str, kind: str, commitment_id: str, invoice_id: str) -> str | None:
        commitment = self.commitment(project_id, kind, commitment_id)
        return f"{commitment}/requisitions/{_id(invoice_id)}" if commitment else None

    def xero_record(self, page: str, record_id: str) -> str | None:
        """``page``: ACCPAY / ACCREC (an invoice's Type), purchase_orders, bank_transactions, contacts."""
        if self.xero is None or page not in XERO_PAGES or not record_id:
            return None
        return self.xero + XERO_PAGES[page].format(id=_id(record_id))

    def _procore(self, path: str) -> str | None:
        return None if self.procore is None else self.procore + path


NO_LINKS = RecordLinks()


@dataclass(frozen=True)
class Linker:
    """Turns a finding's record references into links: ``procore_ref`` (``("budget", project)``,
    ``("commitment", id)``, ``("requisition", id)``) and ``xero_ref`` (``(object type, id)``)."""

    hosts: RecordLinks
    commitment_kinds: Mapping[str, str]  # commitment id -> work_order_contracts | purchase_order_contracts
    invoice_commitments: Mapping[str, str]  # requisition id -> commitment id
    invoice_types: Mapping[str, str]  # Xero InvoiceID (lower case) -> ACCPAY | ACCREC

    def procore(self, project_id: str | None, ref: tuple[str, str] | None) -> str | None:
        if ref is None or project_id is None:
            return None
        kind, record = ref
        if kind == "budget":
            return self.hosts.budget(project_id)
        if kind == "commitment" or kind in COMMITMENT_KINDS:
            return self.hosts.commitment(project_id, self.commitment_kinds.get(record, ""), record)
        if kind in ("requisition", "requisitions"):
            commitment = self.invoice_commitments.get(record, "")
            kinds = self.commitment_kinds.get(commitment, "")
            return self.hosts.requisition(project_id, kinds, commitment, record)
        return None

    def xero(self, ref: tuple[str, str] | None) -> str | None:
        if ref is None:
            return None
        kind, record = ref
        page = self.invoice_types.get(record.lower(), "ACCPAY") if kind == "invoices" else kind
        return self.hosts.xero_record(page, record)


def _id(value: str) -> str:
    """A record id as one URL path segment or query value (ids come from the APIs, never trusted raw)."""
    return quote(str(value), safe="")
