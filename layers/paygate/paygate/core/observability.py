"""Logger, Tracer and Metrics, created once. Service name and namespace come from the template's Globals."""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# Reads publish no business metric; Powertools would warn on every such request.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

logger = Logger()
tracer = Tracer()
metrics = Metrics()
