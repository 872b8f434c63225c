"""Payments: orders and payment intents (the two ways to ask for money) and the payments made on them."""
