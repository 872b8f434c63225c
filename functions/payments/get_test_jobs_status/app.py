"""GET /api/v1/test/jobs/status (test mode, test keys only): queues, running executions, live workers."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.core.errors import NotFound
from paygate.core.settings import JobsStatusEnv
from paygate.jobs.models import JobsStatus
from paygate.jobs.status import jobs_status

app = build_resolver()


@app.get("/api/v1/test/jobs/status")
def get_test_jobs_status() -> JobsStatus:
    settings = JobsStatusEnv.load()
    if not settings.test_mode or principal(app).mode != "test":
        raise NotFound("test routes exist only in test mode, for test keys")
    return jobs_status(settings)


handler = lambda_handler(app, auth.merchant)
