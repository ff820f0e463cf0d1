"""Extraction: page each Procore and Xero object type into staging, incrementally, within the API limits.

``specs`` (pure data, cheap to import from DAG files) says what to read; ``procore`` and ``xero`` hold the
one generic read per system; ``runner`` is the bookkeeping both share (run log, watermark, resume).
"""
