"""Health: whether the gateway's own dependencies (tables, queues) answer."""
