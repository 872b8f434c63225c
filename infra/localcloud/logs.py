"""localcloud's own structured log (JSON lines on stderr, through Powertools Logger)."""

from aws_lambda_powertools import Logger

log = Logger(service="localcloud", level="INFO", stream=None)
