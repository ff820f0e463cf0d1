"""Procore -> Xero, one object type at a time: staged records -> transform -> validate -> hold -> load.

Kept import-free: DAG files read ``procore_xero.sync.order`` at parse time without pulling in pandas.
"""
