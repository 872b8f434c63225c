"""Create the documented test merchant (test mode only). localcloud runs it at start; on AWS the deploy
script invokes it once when the stack is deployed with TestMode=true."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from paygate.core.observability import logger
from paygate.core.settings import AdminEnv
from paygate.merchants.service import seed_test_merchant


@logger.inject_lambda_context
def handler(_event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if not AdminEnv.load().test_mode:
        return {"seeded": False, "reason": "TEST_MODE is not true"}
    created = seed_test_merchant()
    logger.info("test merchant", extra={"seeded": created})
    return {"seeded": created}
