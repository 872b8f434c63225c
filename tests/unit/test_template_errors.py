"""A template localcloud cannot run fails at start-up naming the resource, before any port opens."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from localcloud.errors import TemplateError
from localcloud.runtime import LocalCloud

HEADER = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
"""
FUNCTION = """\
Fn:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: code/
    Handler: app.handler
    Runtime: python3.11
"""


def _template(tmp_path: Path, body: str) -> Path:
    (tmp_path / "code").mkdir(exist_ok=True)
    (tmp_path / "code" / "app.py").write_text("def handler(event, context):\n    return None\n")
    path = tmp_path / "template.yaml"
    path.write_text(HEADER + textwrap.indent(textwrap.dedent(body), "  "))
    return path


def _error(path: Path) -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        LocalCloud(path, port=0).start()
    return caught.value


def test_unsupported_resource_type_is_named(tmp_path: Path) -> None:
    error = _error(
        _template(
            tmp_path,
            """\
              Database:
                Type: AWS::RDS::DBInstance
                Properties: { Engine: postgres }
            """,
        )
    )
    assert error.where == "Database"
    assert "AWS::RDS::DBInstance" in str(error)
    assert str(error).startswith("Database:")


def test_unsupported_intrinsic_is_named_with_its_resource(tmp_path: Path) -> None:
    error = _error(
        _template(
            tmp_path,
            FUNCTION
            + """\
    Environment:
      Variables:
        SHARED: !ImportValue other-stack-output
""",
        )
    )
    assert error.where == "Fn"
    assert "Fn::ImportValue" in str(error)


def test_reference_to_a_missing_resource_is_named(tmp_path: Path) -> None:
    error = _error(
        _template(
            tmp_path,
            FUNCTION
            + """\
    Environment:
      Variables:
        TABLE: !Ref NoSuchTable
""",
        )
    )
    assert error.where == "Fn"
    assert "NoSuchTable" in str(error)


def test_unknown_attribute_is_named(tmp_path: Path) -> None:
    error = _error(
        _template(
            tmp_path,
            """\
              Queue:
                Type: AWS::SQS::Queue
              Other:
                Type: AWS::SQS::Queue
                Properties:
                  RedrivePolicy: { deadLetterTargetArn: !GetAtt Queue.Colour, maxReceiveCount: 2 }
            """,
        )
    )
    assert error.where == "Other"
    assert "Queue.Colour" in str(error)


def test_missing_code_folder_is_named(tmp_path: Path) -> None:
    error = _error(_template(tmp_path, FUNCTION.replace("code/", "nowhere/")))
    assert error.where == "Fn"
    assert "nowhere" in str(error)


def test_invalid_sam_is_named(tmp_path: Path) -> None:
    error = _error(
        _template(
            tmp_path,
            FUNCTION
            + """\
    Events:
      Broken:
        Type: Api
        Properties: { Method: get }
""",
        )
    )
    assert "Fn" in str(error)
    assert "Path" in str(error)


def test_unsupported_schedule_expression_is_named(tmp_path: Path) -> None:
    error = _error(
        _template(
            tmp_path,
            FUNCTION
            + """\
    Events:
      Tick:
        Type: Schedule
        Properties: { Schedule: "every tuesday" }
""",
        )
    )
    assert "FnTick" in error.where
    assert "ScheduleExpression" in str(error)


def test_nothing_is_left_running_after_a_failed_start(tmp_path: Path) -> None:
    _error(_template(tmp_path, "Database:\n  Type: AWS::RDS::DBInstance\n"))
    with LocalCloud(_template(tmp_path, FUNCTION), port=0) as cloud:  # a second runtime can start
        assert cloud.url.startswith("http://127.0.0.1:")
