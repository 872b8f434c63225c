"""Logger, Tracer and Metrics, created once. Service name and namespace come from the template's Globals."""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# Reads publish no business metric; Powertools would warn on every such request.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

logger = Logger()
# Only the AWS SDK is patched: the default, X-Ray's patch_all, imports every library it knows that is
# installed (httpx, pymongo, ...) at cold start to patch it, for nothing the functions call.
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()
