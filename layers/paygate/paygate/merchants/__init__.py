"""Merchants: tenants of the gateway, their API keys (stored hashed) and authentication."""
