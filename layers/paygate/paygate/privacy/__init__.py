"""Privacy (GDPR / CCPA) of a customer: export and erasure across the contexts, each audited.

docs/privacy.md."""
