"""RotateVaultKeys (invoked by an operator: ``paygate vault rotate``): a new key version per key ring
of the scope, and every card re-encrypted under it; stops before its timeout and answers ``done: false``
(invoke again to continue: the progress is in the vault table). Event ``{"merchant_id"?, "mode"?}``."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger, tracer
from paygate.vault.rotation import handle_rotate


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    answer = handle_rotate(event, context.get_remaining_time_in_millis)
    logger.info("vault rotation", extra=answer)
    return answer
