"""Background work: starting payment processing and queueing refunds from the payments stream."""
