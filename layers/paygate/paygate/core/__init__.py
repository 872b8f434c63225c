"""Cross-cutting pieces every context uses: settings, clock, AWS clients, observability."""
