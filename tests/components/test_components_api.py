"""The components' public API, used from a program of its own (examples/components): no Conduit
stack file, previewed as any Pulumi program is."""

from __future__ import annotations

import inspect
import json

from conduit import components
from tests.support.cli import conduit
from tests.support.project import ROOT

EXAMPLE = ROOT / "examples" / "components"


def test_the_public_api_is_exported_and_documented() -> None:
    for name in components.__all__:
        member = getattr(components, name)
        assert inspect.getdoc(member), name
    assert "Network(name, NetworkArgs(settings, region))" in components.__doc__


def test_the_example_builds_a_service_a_database_and_a_connector_and_previews_clean() -> None:
    assert not (EXAMPLE / "Pulumi.dev.yaml").read_text().count("conduit:")
    result = conduit("preview", "--cwd", str(EXAMPLE), "--stack", "dev", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    types = sorted(t["type"] for t in document["resources"])
    assert types == [
        "gcp:cloudrunv2/service:Service",
        "gcp:compute/globalAddress:GlobalAddress",
        "gcp:compute/network:Network",
        "gcp:secretmanager/secret:Secret",
        "gcp:secretmanager/secretIamMember:SecretIamMember",
        "gcp:secretmanager/secretVersion:SecretVersion",
        "gcp:serviceaccount/account:Account",
        "gcp:servicenetworking/connection:Connection",
        "gcp:sql/database:Database",
        "gcp:sql/databaseInstance:DatabaseInstance",
        "gcp:sql/user:User",
        "gcp:vpcaccess/connector:Connector",
        "random:index/randomPassword:RandomPassword",
    ]
    # No mandatory finding: what the components build passes the pack; what the example leaves
    # out (alerts, the probe job) are advisories, at the component's line that builds it.
    found = [
        (f["rule"], f["outcome"], f["subject"].rsplit("::", 1)[-1], f["location"]["file"])
        for f in document["findings"]
    ]
    # The components' default major (POSTGRES_15) is the committed stacks' one advisory too.
    assert found == [
        (
            "cloudsql-latest-major-version",
            "warn",
            "shop-instance",
            "conduit/components/database.py",
        ),
        ("alerts-cover-startup-path", "warn", "shop-instance", "conduit/components/database.py"),
        ("alerts-cover-startup-path", "warn", "shop-connector", "conduit/components/network.py"),
        ("alerts-cover-startup-path", "warn", "shop-api-service", "conduit/components/service.py"),
        (
            "continuous-validation-scheduled",
            "warn",
            "shop-api-service",
            "conduit/components/service.py",
        ),
    ]
