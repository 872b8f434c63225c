"""DELETE /api/v1/risk/lists/{entry_id}: remove an entry of the key's mode from its list."""

from paygate.api import auth
from paygate.api.resolver import build_resolver, lambda_handler, principal
from paygate.risk import service
from paygate.risk.models import ListEntry

app = build_resolver()


@app.delete("/api/v1/risk/lists/<entry_id>")
def delete_risk_list_entry(entry_id: str) -> ListEntry:
    return service.delete_entry(principal(app), entry_id)


handler = lambda_handler(app, auth.merchant)
