"""ExpireChallenge's work: fail a 3-D Secure challenge left alone (payments/next_action.py), or, for a
message that arrived before the challenge's expiry, send it again for the time left (SQS delays are at
most 900 s, and a delivery may come early)."""

from __future__ import annotations

import json

from paygate.core import aws
from paygate.core.settings import ChallengeEnv
from paygate.payments import next_action


def expire(payment_id: str) -> str:
    left = next_action.expire(payment_id)
    if not left:
        return "done"
    aws.client("sqs").send_message(
        QueueUrl=ChallengeEnv.load().challenge_timeout_queue_url,
        MessageBody=json.dumps({"payment_id": payment_id}),
        DelaySeconds=min(left, 900),
    )
    return f"waiting {left} s more"
