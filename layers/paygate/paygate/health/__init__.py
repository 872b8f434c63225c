"""Health: whether the gateway's own dependencies (tables, queues) answer and its start steps ran."""
