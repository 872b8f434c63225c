"""paygate: the shared package deployed as the Lambda layer. One sub-package per bounded context."""
