"""Events: state changes of the payments table as CloudEvents on the EventBridge bus (the outbox)."""
