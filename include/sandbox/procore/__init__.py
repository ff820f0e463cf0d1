"""The Procore REST API emulator: OAuth, company/project scope, paging, filters, sync actions, rate limits."""
