"""One knob for simulated time: Step Functions Wait states, Retry intervals, async retries, schedules.

``LOCALCLOUD_TIME_SCALE=0.001`` (or ``paygate local --time-scale``) makes a day-long dunning Wait
last 86 s. 1.0 (the default) is real time. Only waits are scaled; timestamps stay wall-clock.
"""

from __future__ import annotations

_scale = 1.0


def set_scale(scale: float) -> None:
    global _scale
    if scale <= 0:
        raise ValueError("time scale must be > 0")
    _scale = scale


def scale() -> float:
    return _scale


def seconds(value: float) -> float:
    return value * _scale
