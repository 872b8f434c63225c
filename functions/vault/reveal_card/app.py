"""RevealCard (invoked synchronously by the authorizing functions through paygate.vault.client): the
card behind a token for its own merchant and mode, CVC included while it lives. The answer holds the
PAN: it is never logged nor traced."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.vault.inside import handle_reveal


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_reveal(event)
