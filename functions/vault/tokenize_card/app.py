"""TokenizeCard (invoked synchronously by the card-taking functions through paygate.vault.client):
seal a card under its merchant's and mode's current key version. Answers the card's facts and its two
sealed items (ciphertext only), which the caller writes in its own transaction. The event holds the PAN:
it is never logged."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.vault.inside import handle_tokenize


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_tokenize(event)
