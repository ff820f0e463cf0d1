"""High-fidelity emulators of the Procore and Xero APIs, used by the demo, the tests and the benchmarks.

Never imported by ``procore_xero``: the sync talks to these only over HTTP, exactly as it talks to the
real services.
"""
