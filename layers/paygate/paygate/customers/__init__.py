"""Customers: the merchant's payers, their contacts, preferences and default payment method.

See docs/customers.md."""
