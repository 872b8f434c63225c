"""A secret a response shows exactly once (a key secret, a webhook signing secret).

``SecretStr`` keeps it out of reprs and logs; its JSON Schema, though, says ``writeOnly`` (a value a
client sends, never receives), which would make the OpenAPI document contradict the answer that
carries it. This type documents it as the plain string the answer holds.
"""

from typing import Annotated

from pydantic import SecretStr, WithJsonSchema

ShownOnce = Annotated[
    SecretStr, WithJsonSchema({"type": "string", "description": "secret, shown in this answer only"})
]
