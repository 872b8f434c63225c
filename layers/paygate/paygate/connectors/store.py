"""The connectors context's table: merchant connector configurations (``mca_`` objects, listed per
merchant and mode through a keys-only gsi1)."""

from __future__ import annotations

from paygate.core.objects import ObjectTable
from paygate.core.settings import ConnectorsTable

KIND = "merchant_connector"
objects = ObjectTable(lambda: ConnectorsTable.load().connectors_table, keys_only=True)
