"""Nested templates as localcloud reads them: each transformed on its own, parameters split into known
and deferred, per-stack resource counts, creation order (a nested stack completes before what depends
on it), and what it refuses, named ``Stack/Resource``, before anything runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from localcloud import template
from localcloud.errors import TemplateError
from localcloud.provision import Provisioner, cfn_name
from localcloud.runtime import LocalCloud
from moto import mock_aws
from paygate_cli.local import local_parameters

from tests.helpers import PRODUCT, TEST_APP

QUOTA_SHARE = 300  # 60 % of CloudFormation's 500 resources per stack (issue 16)

ROOT = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: child.yaml
      Parameters: {PARAMETERS}
"""
CHILD_HEADER = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  QueueUrl:
    Type: String
    AllowedValues: [only-this]
Resources:
"""


def _tree(tmp_path: Path, child_resources: str, parameters: str = "{QueueUrl: !Ref Queue}") -> Path:
    (tmp_path / "child.yaml").write_text(
        CHILD_HEADER + textwrap.indent(textwrap.dedent(child_resources), "  ")
    )
    root = tmp_path / "template.yaml"
    root.write_text(ROOT.replace("{PARAMETERS}", parameters))
    return root


def _error(path: Path) -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        LocalCloud(path, port=0).start()
    return caught.value


def test_each_stack_of_the_test_app_is_counted_after_the_transform_and_stays_under_300() -> None:
    counts = template.resource_counts(template.load(TEST_APP))
    # Orders: 4 queues and a table, 2 functions with their roles, a mapping, a rule and its
    # permission, the state machine and its role, and the Audit stack (one resource of its parent)
    assert counts == {"": 56, "Orders": 14, "Orders/Audit": 1, "Archive": 1}
    assert max(counts.values()) <= QUOTA_SHARE


def test_every_stack_of_the_product_stays_under_300_resources() -> None:
    counts = template.resource_counts(template.load(PRODUCT, local_parameters(PRODUCT)))
    assert counts and all(count <= QUOTA_SHARE for count in counts.values()), counts


def test_parameters_known_when_read_are_passed_and_the_rest_deferred() -> None:
    orders = template.load(TEST_APP).children["Orders"]
    assert orders.stack_path == "Orders"
    # a literal and a root parameter are known; the layer and the bus exist only once created
    assert orders.parameters == {"Greeting": "hello", "Owner": "orders-team", "Flavour": "plain"}
    assert orders.deferred == {"LayerArn", "BusName"}
    # depth 2: a Sub over the parent's parameter is deferred too
    assert orders.children["Audit"].deferred == {"Prefix"}
    assert orders.children["Audit"].stack_path == "Orders/Audit"


def test_a_nested_stack_completes_before_what_depends_on_it() -> None:
    # Given the test app (Archive DependsOn Orders; the root's API integrates Orders' output)
    app = template.load(TEST_APP)
    done: list[str] = []
    # When it is provisioned
    with mock_aws():
        Provisioner(app, "unit", "us-east-1", on_resource=done.append).provision()
    # Then each nested stack's resources come before the stack itself, and Archive after Orders
    orders_resources = [step for step in done if step.startswith("Orders/")]
    assert "Orders/Audit/AuditQueue" in orders_resources
    assert max(done.index(step) for step in orders_resources) < done.index("Orders")
    assert done.index("Orders/Audit/AuditQueue") < done.index("Orders/Audit") < done.index("Orders")
    assert done.index("Orders") < done.index("Archive/AuditQueue") < done.index("Archive")
    assert done.index("Orders") < done.index("AppApi")  # the API body reads Orders.Outputs.HandlerArn
    assert len(done) == sum(template.resource_counts(app).values()) - 1  # FancyQueue: its Condition is false


def test_generated_names_keep_the_suffix_within_the_services_limit() -> None:
    stack = cfn_name("paygate", "PaymentsContextStack", 128)
    assert (
        stack.startswith("paygate-PaymentsContextStack-")
        and len(stack) == len("paygate-PaymentsContextStack-") + 12
    )
    long = cfn_name(stack, "ProcessPaymentAfterTheProcessorAnsweredFunction", 64)
    assert len(long) == 64
    assert long.endswith("-" + cfn_name(stack, "ProcessPaymentAfterTheProcessorAnsweredFunction", 64)[-12:])
    assert long.startswith("paygate-") and "-Process" in long
    # stable across starts, different per logical id
    assert long == cfn_name(stack, "ProcessPaymentAfterTheProcessorAnsweredFunction", 64)
    assert long != cfn_name(stack, "ProcessPaymentAfterTheProcessorAnsweredFunctionB", 64)


def test_an_unsupported_resource_in_a_nested_stack_is_named_with_its_stack(tmp_path: Path) -> None:
    error = _error(
        _tree(
            tmp_path,
            """\
            Database:
              Type: AWS::RDS::DBInstance
              Properties: { Engine: postgres }
            """,
        )
    )
    assert error.where == "Child/Database"
    assert "AWS::RDS::DBInstance" in error.problem


def test_an_unsupported_intrinsic_in_a_nested_stack_is_named_with_its_stack(tmp_path: Path) -> None:
    error = _error(
        _tree(
            tmp_path,
            """\
            Inner:
              Type: AWS::SQS::Queue
              Properties:
                QueueName: !ImportValue shared-name
            """,
        )
    )
    assert error.where == "Child/Inner"
    assert "Fn::ImportValue" in error.problem


def test_parameters_the_nested_template_does_not_declare_or_lacks_are_refused(tmp_path: Path) -> None:
    body = "Inner:\n  Type: AWS::SQS::Queue\n"
    unknown = _error(_tree(tmp_path, body, "{QueueUrl: !Ref Queue, Colour: blue}"))
    assert (unknown.where, "Colour" in unknown.problem) == ("Child/Parameters", True)
    missing = _error(_tree(tmp_path, body, "{}"))
    assert missing.where == "Child/Parameters.QueueUrl"


def test_a_deferred_parameter_is_checked_against_allowed_values_when_provisioned(tmp_path: Path) -> None:
    # Given a queue URL (known only once the queue exists) that QueueUrl's AllowedValues refuse
    error = _error(_tree(tmp_path, "Inner:\n  Type: AWS::SQS::Queue\n"))
    assert error.where == "Child/Parameters.QueueUrl"
    assert "only-this" in error.problem


def test_a_nested_stack_must_name_a_local_template(tmp_path: Path) -> None:
    root = _tree(tmp_path, "Inner:\n  Type: AWS::SQS::Queue\n")
    remote = root.read_text().replace("Location: child.yaml", "Location: https://example.com/child.yaml")
    root.write_text(remote)
    error = _error(root)
    assert error.where == "Child" and "local template" in error.problem
    repository = remote.replace(
        "Location: https://example.com/child.yaml",
        "Location: {ApplicationId: 'arn:aws:serverlessrepo:us-east-1:123456789012:applications/x',"
        " SemanticVersion: 1.0.0}",
    )
    root.write_text(repository)
    assert _error(root).where == "Child"


def test_a_template_that_nests_itself_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "template.yaml"
    root.write_text(ROOT.replace("child.yaml", "template.yaml").replace("{PARAMETERS}", "{}"))
    error = _error(root)
    assert "includes itself" in error.problem
