"""The card vault: PANs encrypted under KMS data keys; the CVC held apart, briefly (docs/vault.md)."""
