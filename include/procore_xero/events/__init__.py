"""Change feeds: the webhook intake (verify, de-duplicate, store), the deliveries table, hook registration."""
