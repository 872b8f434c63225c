"""The vault's IAM boundary, read from the templates (root and every nested stack): only the Vault
stack's functions hold any KMS action on the vault's key, and outside it only the authorizing functions
may invoke RevealCard and only the card-taking ones TokenizeCard (docs/vault.md "IAM")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from tests.helpers import PRODUCT, STACKS

CARD_TAKERS = {
    "CreatePayment",
    "CreatePublicPayment",
    "ConfirmPaymentIntent",
    "CreatePaymentMethod",  # Customers stack: a saved card (docs/payment-methods.md)
    "ConfirmSetupIntent",
}
AUTHORIZERS = {"AttemptPayment", "ProcessPayment"}
VAULT_FUNCTIONS = {"TokenizeCard", "RevealCard", "RotateVaultKeys"}


def _docs() -> dict[str, dict[str, Any]]:
    return {"root": yaml_parse(PRODUCT.read_text())} | {
        path.stem: yaml_parse(path.read_text()) for path in sorted(STACKS.glob("*.yaml"))
    }


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """Every statement a function or role is granted: inline statements, SAM policy templates (as a
    statement naming their template and arguments) and IAM policies."""
    props = resource.get("Properties", {})
    found: list[dict[str, Any]] = []
    for policy in _listed(props.get("Policies", [])):
        if isinstance(policy, dict) and "Statement" in policy:
            found += policy["Statement"]
        elif isinstance(policy, dict) and "PolicyDocument" in policy:
            found += _listed(policy["PolicyDocument"]["Statement"])
        elif isinstance(policy, dict):  # a SAM policy template, e.g. KMSDecryptPolicy: {KeyId: ...}
            (name, arguments), *_ = policy.items()
            found.append({"Effect": "Allow", "Action": [f"template:{name}"], "Resource": arguments})
        else:  # a managed policy by name or ARN
            found.append({"Effect": "Allow", "Action": ["managed"], "Resource": policy})
    if "PolicyDocument" in props:
        found += _listed(props["PolicyDocument"]["Statement"])
    return found


def _grants(doc_name: str, doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    kinds = ("AWS::Serverless::Function", "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
    return {
        f"{doc_name}/{name}": _statements(resource)
        for name, resource in doc["Resources"].items()
        if resource["Type"] in kinds
    }


def _kms_on_vault_key(statement: dict[str, Any]) -> bool:
    actions = [str(a).lower() for a in _listed(statement.get("Action", []))]
    resource = str(statement.get("Resource"))
    kms = any(a.startswith("kms:") or a == "*" or "kms" in a for a in actions)
    broad = any(r == "*" for r in _listed(statement.get("Resource"))) or "VaultKey" in resource
    template_on_vault = any(a.startswith("template:") and "kms" in a for a in actions) and "Vault" in resource
    return statement.get("Effect") == "Allow" and ((kms and broad) or template_on_vault)


def _invokes(statement: dict[str, Any], function: str) -> bool:
    """An Allow that could invoke the vault's ``function``: naming it, or any wildcard ARN or action."""
    if statement.get("Effect") != "Allow":
        return False
    actions = [str(a).lower() for a in _listed(statement.get("Action", []))]
    if any(a.startswith("template:lambdainvokepolicy") for a in actions):
        return function in str(statement.get("Resource"))
    if not any(a in ("*", "lambda:*", "lambda:invokefunction") for a in actions):
        return False
    resources = [str(r) for r in _listed(statement.get("Resource"))]
    return any(function in r or r == "*" or r.endswith("-*") or r.endswith(":*") for r in resources)


def _denies(statements: list[dict[str, Any]], function: str) -> bool:
    return any(
        s.get("Effect") == "Deny" and any(function in str(r) for r in _listed(s.get("Resource")))
        for s in statements
    )


def test_no_function_outside_the_vault_stack_has_any_kms_action_on_the_vault_key() -> None:
    offenders = [
        (name, statement)
        for doc_name, doc in _docs().items()
        if doc_name != "vault"
        for name, statements in _grants(doc_name, doc).items()
        for statement in statements
        if _kms_on_vault_key(statement)
    ]
    assert offenders == []
    # and the vault key is referred to by no other stack at all (it is not even passed on)
    for doc_name, doc in _docs().items():
        if doc_name != "vault":
            assert not re.search(r"VaultKey(Arn)?\b", str(doc["Resources"])), doc_name


@pytest.mark.parametrize(("function", "allowed"), [("RevealCard", AUTHORIZERS), ("TokenizeCard", CARD_TAKERS),
                                                   ("RotateVaultKeys", set())])  # fmt: skip
def test_outside_the_vault_stack_only_the_named_functions_may_invoke_a_vault_function(
    function: str, allowed: set[str]
) -> None:
    granted = set()
    for doc_name, doc in _docs().items():
        if doc_name == "vault":
            continue
        for name, statements in _grants(doc_name, doc).items():
            if any(_invokes(s, function) for s in statements) and not _denies(statements, function):
                granted.add(name.split("/", 1)[1])
    assert granted == allowed


def test_the_vault_functions_hold_the_key_and_the_payments_functions_the_table_actions_without_kms() -> None:
    docs = _docs()
    vault = _grants("vault", docs["vault"])
    assert {
        n.split("/")[1] for n, st in vault.items() if any(_kms_on_vault_key(s) for s in st)
    } == VAULT_FUNCTIONS
    payments = _grants("payments", docs["payments"])
    on_table: dict[str, set[str]] = {}
    for name, statements in payments.items():
        for statement in statements:
            if "VaultTable" in str(statement.get("Resource")):
                on_table.setdefault(name.split("/")[1], set()).update(_listed(statement["Action"]))
    # the items of saved payment methods are read and written without KMS (docs/payment-methods.md)
    methods = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"}
    recorders = ("AuthenticatePayment", "ExpireChallenge", "ApplyProviderEvent")  # a verification's outcome
    assert on_table == {
        **{key: methods for key in CARD_TAKERS & set(on_table)},
        **{key: {"dynamodb:DeleteItem", *methods} for key in AUTHORIZERS},
        **{key: methods for key in recorders},
        "GetPublicOrder": {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"},
        "CreateSetupIntent": {"dynamodb:GetItem"},
        # privacy (docs/privacy.md): the export reads a customer's methods; the erasure's payments side
        # destroys the vault cards of the customer's payments (deletes, no decrypt)
        "ExportCustomer": {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"},
        "ErasePaymentsPii": {
            "dynamodb:GetItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
        },
    }
    assert not any("kms" in str(a).lower() for actions in on_table.values() for a in actions)


def test_the_iam_test_catches_a_grant_it_must_refuse() -> None:
    """The checks themselves: a kms:* on *, a KMSDecryptPolicy on the vault key, a wildcard invoke."""
    assert _kms_on_vault_key({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
    assert _kms_on_vault_key(
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": {"Ref": "VaultKeyArn"}}
    )
    assert _kms_on_vault_key(
        {"Effect": "Allow", "Action": ["template:KMSDecryptPolicy"], "Resource": {"KeyId": "VaultKey"}}
    )
    assert not _kms_on_vault_key(
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": {"Ref": "ConnectorsKeyArn"}}
    )
    assert _invokes({"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}, "RevealCard")
    assert _invokes(
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "arn:...:function:x-*"},
        "RevealCard",
    )
    assert not _invokes(
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": {"Ref": "TokenizeCardFunction"}},
        "RevealCard",
    )
