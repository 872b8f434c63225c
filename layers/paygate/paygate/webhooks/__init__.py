"""Webhooks: merchants' endpoints, and signed deliveries of events to them on a retry schedule."""
