"""Payment processor connectors behind one interface (``base.Connector``): the simulator, Stripe and
Razorpay. Design, classification and what is still to come: docs/connectors.md."""
