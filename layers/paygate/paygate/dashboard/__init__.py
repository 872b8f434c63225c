"""The merchant dashboard's backend: password login, server-side sessions, overview, credentials, settings."""
