"""Refunds: money going back to the payer, never more than was paid."""
