"""Each function sees exactly the variables the template gives it, also under concurrent invocations."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from localcloud.runtime import LocalCloud


def test_each_function_gets_its_own_resolved_environment(cloud: LocalCloud) -> None:
    a = requests.get(f"{cloud.url}/env/a", timeout=10).json()["first"]
    b = requests.get(f"{cloud.url}/env/b", timeout=10).json()["first"]
    assert (a["NAME"], a["ONLY_A"], a["ONLY_B"], a["QUEUE_URL"]) == ("a", "1", None, None)
    assert (b["NAME"], b["ONLY_A"], b["ONLY_B"]) == ("b", None, "1")
    assert b["QUEUE_URL"] == cloud.physical("WorkQueue")  # !Ref of a queue is its URL
    assert b["QUEUE_URL"].endswith("/lct-WorkQueue")
    assert a["GLOBAL_VAR"] == b["GLOBAL_VAR"] == "shared"  # from Globals
    assert (a["AWS_LAMBDA_FUNCTION_NAME"], b["AWS_LAMBDA_FUNCTION_NAME"]) == ("lct-EnvA", "lct-EnvB")
    assert (a["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], b["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]) == ("256", "1024")
    assert a["AWS_REGION"] == "us-east-1" and a["_HANDLER"] == "app.handler"


def test_two_functions_from_one_code_folder_are_separate_modules(cloud: LocalCloud) -> None:
    assert requests.get(f"{cloud.url}/env/a", timeout=10).json()["loaded_as"] == "a"
    assert requests.get(f"{cloud.url}/env/b", timeout=10).json()["loaded_as"] == "b"


def test_concurrent_invocations_never_see_each_others_variables(cloud: LocalCloud) -> None:
    def call(name: str) -> tuple[str, dict]:
        return name, requests.get(f"{cloud.url}/env/{name}", timeout=10).json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(call, ["a", "b"] * 40))
    for name, seen in answers:
        assert seen["first"]["NAME"] == seen["second"]["NAME"] == name
        assert seen["first"] == seen["second"]
        assert seen["overlapped"] is False  # each execution environment runs one invocation at a time
    # concurrency scaled out to more environments, each a fresh import of the handler module
    assert cloud.function("EnvA").environments > 1
    assert cloud.function("EnvB").environments > 1
