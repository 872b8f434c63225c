"""Risk: rules, allow and block lists, velocity counters and a score, assessed per payment.

See docs/risk.md."""
