"""GET /api/v1/health: 200 when every table and queue of the gateway answers and, in test mode, the
seeded merchant exists; 503 otherwise (status ``degraded`` or ``starting``)."""

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.metrics import MetricUnit
from paygate.api.resolver import build_resolver, lambda_handler
from paygate.core.observability import metrics
from paygate.core.settings import HealthEnv
from paygate.health.models import HealthReport
from paygate.health.service import health_report

app = build_resolver()


@app.get("/api/v1/health")
def get_health() -> Response[HealthReport]:
    report = health_report(HealthEnv.load())
    failing = sum(check.status != "ok" for check in report.checks)
    metrics.add_metric(name="HealthDependencyFailures", unit=MetricUnit.Count, value=failing)
    status = 200 if report.status == "ok" else 503
    return Response(status, content_types.APPLICATION_JSON, report)


handler = lambda_handler(app)
