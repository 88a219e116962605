"""policies/guard/cloudrun_v1.py: a Cloud Run v1 service read as the v2 service it describes."""

from __future__ import annotations

from pulumi_policy.proxy import unknown_checking_proxy

from policies.guard import samples
from policies.guard.cloudrun_v1 import SERVICE_V1, SERVICE_V2, as_v2, convert, v1_path, v2_views
from policies.guard.examples import Res
from policies.guard.props import UNKNOWN, at


def test_the_v1_sample_is_the_v2_sample_where_fields_map() -> None:
    v2 = convert(samples.service_v1())
    expected = samples.service()
    for path in (
        "name",
        "location",
        "ingress",
        "template.serviceAccount",
        "template.timeout",
        "template.maxInstanceRequestConcurrency",
        "template.scaling",
        "template.vpcAccess",
        "template.volumes",
        "template.containers",
    ):
        assert at(v2, path, object) == at(expected, path, object), path


def test_annotations_map_to_v2_spellings_and_anything_else_stays_as_written() -> None:
    props = samples.service_v1()
    props["metadata"]["annotations"]["run.googleapis.com/ingress"] = "internal"
    annotations = props["template"]["metadata"]["annotations"]
    annotations["autoscaling.knative.dev/maxScale"] = "lots"
    annotations["run.googleapis.com/vpc-access-egress"] = "all-traffic"
    annotations["run.googleapis.com/network-interfaces"] = "not json"
    props["template"]["spec"]["containers"][0]["commands"] = ["serve"]
    v2 = convert(props)
    assert v2["ingress"] == "INGRESS_TRAFFIC_INTERNAL_ONLY"
    assert v2["template"]["scaling"] == {"minInstanceCount": 1, "maxInstanceCount": "lots"}
    assert v2["template"]["vpcAccess"]["egress"] == "ALL_TRAFFIC"
    assert v2["template"]["vpcAccess"]["networkInterfaces"] == "not json"
    assert v2["template"]["containers"][0]["command"] == ["serve"]
    assert "commands" not in v2["template"]["containers"][0]


def test_unknowns_stay_unknown_through_the_proxy() -> None:
    props = samples.service_v1()
    annotations = props["template"]["metadata"]["annotations"]
    annotations["autoscaling.knative.dev/maxScale"] = samples.UNKNOWN
    props["template"]["spec"]["serviceAccountName"] = samples.UNKNOWN
    v2 = as_v2(unknown_checking_proxy(props))
    assert at(v2, "template.scaling.maxInstanceCount", int) is UNKNOWN
    assert at(v2, "template.serviceAccount", str) is UNKNOWN
    assert at(v2, "template.scaling.minInstanceCount", int) == 1


def test_a_service_without_template_or_metadata_converts_to_what_it_has() -> None:
    assert convert({"name": "x", "location": "us-central1"}) == {
        "name": "x",
        "location": "us-central1",
    }
    assert convert({"template": {}}) == {}
    assert convert({"template": {"spec": {}}}) == {"template": {}}


def test_v2_paths_are_named_where_v1_writes_them() -> None:
    assert v1_path("template.containers.envs.X") == "template.spec.containers.envs.X"
    assert v1_path("template.scaling.maxInstanceCount") == (
        "template.metadata.annotations.autoscaling.knative.dev/maxScale"
    )
    assert v1_path("template.vpcAccess.networkInterfaces") == "template.metadata.annotations"
    assert v1_path("annotations") == "metadata.annotations"
    assert v1_path("ingress") == "metadata.annotations.run.googleapis.com/ingress"
    assert v1_path("name") == "name"


def test_a_stack_rule_sees_a_v1_service_as_v2_and_other_resources_as_they_are() -> None:
    v1 = Res(SERVICE_V1, samples.service_v1(), dependencies=["dep"], parent="parent-urn")
    other = Res("gcp:sql/databaseInstance:DatabaseInstance", samples.instance())
    viewed, urns = v2_views([other, v1])
    assert viewed[0] is other
    assert urns == {v1.urn}
    view = viewed[1]
    assert (view.resource_type, view.urn, view.dependencies, view.parent) == (
        SERVICE_V2,
        v1.urn,
        ["dep"],
        "parent-urn",
    )
    assert at(view.props, "template.scaling.maxInstanceCount", int) == 10
