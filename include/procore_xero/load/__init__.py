"""What both loaders share: the load report, reads, record keeping; the loaders themselves are per
direction (``to_xero.loader``, ``to_procore.loader``)."""

from procore_xero.load.report import LoadReport, TypeCounts

__all__ = ["LoadReport", "TypeCounts"]
