"""references-wait-for-target: an input that names a resource of the same stack by a literal
string depends on that resource.

GCP resolves such references when the referencing resource is created: an IAM member on a job
that does not exist yet is a 404, an alert policy on a metric Monitoring has not seen is a 404,
a secret version of a missing secret is a 404. The engine creates everything it can at once, and
a literal string gives it no reason to wait: the first `pulumi up` fails (seen for exactly this
pattern in GoogleCloudPlatform/solutions-builder#37). Taking the target's output (or
`depends_on`) makes the engine wait. The fields judged are `conduit.core.references.REFERENCES`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import Severity
from pulumi_policy.proxy import UnknownValueError

from conduit.core import references
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, StackResource, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import urn_of

REMEDIATION = (
    "Pass the target's output instead of the string (job.name, service.name, secret.id, "
    "metric.name, ...), or add the target to depends_on."
)


def _name(urn: str) -> str:
    return urn.split("::")[-1]


def _type_name(resource_type: str) -> str:
    """`gcp:cloudrunv2/job:Job` -> `cloudrunv2 Job`."""
    parts = resource_type.split(":")
    return f"{parts[1].split('/')[0]} {parts[-1]}"


class Waits:
    """What each resource waits for: its dependencies, theirs, and its parents', transitively."""

    def __init__(self, resources: Sequence[StackResource]) -> None:
        self._by_urn = {r.urn: r for r in resources}
        self._reached: dict[str, frozenset[str]] = {}

    def of(self, urn: str) -> frozenset[str]:
        if urn in self._reached:
            return self._reached[urn]
        found: set[str] = set()
        todo = [urn]
        while todo:
            resource = self._by_urn.get(todo.pop())
            if resource is None:
                continue
            for step in filter(None, [*resource.dependencies, resource.parent]):
                step_urn = urn_of(step)
                if step_urn not in found:
                    found.add(step_urn)
                    todo.append(step_urn)
        self._reached[urn] = frozenset(found)
        return self._reached[urn]


def _targets(resources: Sequence[StackResource]) -> dict[tuple[str, str], list[StackResource]]:
    """(type, short name) -> the stack's resources of that type and name."""
    found: dict[tuple[str, str], list[StackResource]] = {}
    wanted = {t for ref in references.REFERENCES for t in ref.targets}
    for resource in resources:
        if resource.resource_type not in wanted:
            continue
        try:
            key = references.key_of(resource.resource_type, resource.props)
        except UnknownValueError:
            continue
        if isinstance(key, str):
            found.setdefault((resource.resource_type, key), []).append(resource)
    return found


def _same_project(value: str, target: StackResource) -> bool:
    """False only when the value names another project than the target's (both known)."""
    named = references.project_named(value)
    try:
        project = target.props.get("project")
    except UnknownValueError:
        return True
    return named is None or not isinstance(project, str) or named == project


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    targets = _targets(resources)
    if not targets:
        return
    waits = Waits(resources)
    for resource in resources:
        for ref in references.BY_SOURCE.get(resource.resource_type, ()):
            for value in references.values_at(resource.props, ref.field, (UnknownValueError,)):
                if not isinstance(value, str):
                    continue
                for name in references.named(value, ref.form):
                    for target_type in ref.targets:
                        for target in targets.get((target_type, name), []):
                            if target.urn == resource.urn or not _same_project(value, target):
                                continue
                            if target.urn in waits.of(resource.urn):
                                continue
                            yield Violation(
                                f"{_name(resource.urn)} names {_type_name(target_type)} "
                                f"{_name(target.urn)} by the literal string {value!r} in "
                                f"{ref.field} and does not depend on it: the engine creates both "
                                f"at once, and GCP refuses {_name(resource.urn)} (404) until "
                                f"{_name(target.urn)} exists.",
                                (ref.field,),
                                observed=value,
                                required=f"a dependency on {target.urn}",
                                urn=resource.urn,
                                related=((target.urn, ""),),
                            )


POLICY = stack_policy(
    name="references-wait-for-target",
    description="An input that names a resource of the stack by a literal string depends on it.",
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

# pragma: no mutate start
GRANT = "gcp:cloudrunv2/jobIamMember:JobIamMember"
BINDING = "gcp:cloudrunv2/jobIamBinding:JobIamBinding"
VERSION = "gcp:secretmanager/secretVersion:SecretVersion"
POLICY_TYPE = "gcp:monitoring/alertPolicy:AlertPolicy"
SCHEDULE = "gcp:cloudscheduler/job:Job"
JOB_URN = urn(references.JOB, "backend-probe")
OTHER_JOB_URN = urn(references.JOB, "backend-probe-elsewhere")
COMPONENT_URN = urn("conduit:operations:Schedules", "schedules")
PROVIDER_URN = "urn:pulumi:test::conduit::pulumi:providers:gcp::default"
SCHEDULER_SA = f"staging-probe-scheduler@{samples.PROJECT}.iam.gserviceaccount.com"


def _grant(name: str = "backend-probe") -> dict:
    return {
        "name": name,
        "location": samples.REGION,
        "role": "roles/run.jobsExecutor",
        "member": f"serviceAccount:{SCHEDULER_SA}",
    }


def _account() -> dict:
    return {"accountId": "staging-probe-scheduler", "project": samples.PROJECT}


def _metric_alert(metric: str) -> dict:
    return {
        "displayName": "probe",
        "conditions": [
            {
                "conditionThreshold": {
                    "filter": f'metric.type="logging.googleapis.com/user/{metric}" '
                    'AND resource.type="cloud_run_job"'
                }
            }
        ],
    }


def _grant_urn(name: str = "runs-probe") -> str:
    return urn(GRANT, name)


def _job(project: str | None = None) -> Res:
    props = samples.job()
    if project is not None:
        props["project"] = project
    return Res(references.JOB, props, JOB_URN)


_ACCOUNT_URN = urn(references.ACCOUNT, "scheduler-sa")


def _want(field: str, value: str, source: str, target_type: str, target: str) -> Want:
    source_name, target_name = _name(source), _name(target)
    return Want(
        f"{source_name} names {_type_name(target_type)} {target_name} by the literal string "
        f"{value!r} in {field} and does not depend on it: the engine creates both at once, and "
        f"GCP refuses {source_name} (404) until {target_name} exists.",
        (field,),
        value,
        f"a dependency on {target}",
        urn=source,
        related=((target, ""),),
    )


EXAMPLES = Examples(
    good=[
        # The grant depends on the job (it took the job's name output) and on its account.
        [
            _job(),
            Res(references.ACCOUNT, _account(), _ACCOUNT_URN),
            Res(GRANT, _grant(), _grant_urn(), dependencies=[JOB_URN, _ACCOUNT_URN]),
        ],
        # Through another resource: the grant waits for the account, which waits for the job.
        [
            _job(),
            Res(references.ACCOUNT, _account(), _ACCOUNT_URN, dependencies=[JOB_URN]),
            Res(GRANT, _grant(), _grant_urn(), dependencies=[_ACCOUNT_URN]),
        ],
        # A name unknown at preview (an output) is a dependency the engine records anyway.
        [
            _job(),
            Res(references.ACCOUNT, _account(), _ACCOUNT_URN),
            Res(GRANT, changed(_grant(), "member", samples.UNKNOWN), _grant_urn(), [JOB_URN]),
        ],
        # A job of another name, or one in another project, is not the job the grant names.
        [
            _job(samples.PROJECT),
            Res(GRANT, _grant("other-job"), _grant_urn()),
            Res(
                GRANT,
                _grant(f"projects/other/locations/{samples.REGION}/jobs/backend-probe"),
                _grant_urn("elsewhere"),
            ),
        ],
        # A project-qualified name of the job's own project, depended on.
        [
            _job(samples.PROJECT),
            Res(GRANT, _grant(samples.JOB_ID), _grant_urn(), dependencies=[JOB_URN]),
        ],
        # Members that are no stack account: a user, Google's own agents.
        [
            Res(references.ACCOUNT, _account(), _ACCOUNT_URN),
            Res(GRANT, changed(_grant(), "member", "user:ops@acme.example"), _grant_urn()),
            Res(
                GRANT,
                changed(
                    _grant(),
                    "member",
                    "serviceAccount:service-1@gcp-sa-monitoring-notification"
                    ".iam.gserviceaccount.com",
                ),
                _grant_urn("agent"),
            ),
        ],
        # A resource of a type no field names, and one naming itself.
        [Res("gcp:storage/bucket:Bucket", {"name": "backend-probe"}), _job()],
        # Waiting through the parent: the grant's component waits for the job. A dependency
        # outside the recorded resources (a provider) is passed over, not the end of the walk.
        [
            _job(),
            Res(
                "conduit:operations:Schedules",
                {},
                COMPONENT_URN,
                dependencies=[JOB_URN, _ACCOUNT_URN],
            ),
            Res(references.ACCOUNT, _account(), _ACCOUNT_URN, dependencies=[JOB_URN]),
            Res(GRANT, _grant(), _grant_urn(), parent=COMPONENT_URN),
            Res(GRANT, _grant(), _grant_urn("two"), dependencies=[_ACCOUNT_URN, PROVIDER_URN]),
        ],
        # A value that is no string names nothing.
        [_job(), Res(GRANT, {**_grant(), "name": 7}, _grant_urn())],
    ],
    bad=[
        # The first-up failure: the scheduler's grant names the job by its literal name. A
        # bucket and a job whose name is unknown at preview come first. A bare name names no
        # project: the job's own project is no reason to pass it.
        Bad(
            [
                Res("gcp:storage/bucket:Bucket", {"name": "b"}),
                Res(references.JOB, {**samples.job(), "name": samples.UNKNOWN}, OTHER_JOB_URN),
                _job(samples.PROJECT),
                Res(references.ACCOUNT, _account(), _ACCOUNT_URN),
                Res(GRANT, _grant(), _grant_urn(), dependencies=[_ACCOUNT_URN]),
            ],
            (_want("name", "backend-probe", _grant_urn(), references.JOB, JOB_URN),),
        ),
        # A second grant comes first, correct; the judged one still fails. Its member names a
        # stack account it does not wait for either.
        Bad(
            [
                _job(),
                Res(references.ACCOUNT, _account(), _ACCOUNT_URN),
                Res(GRANT, _grant(), _grant_urn("fine"), dependencies=[JOB_URN, _ACCOUNT_URN]),
                Res(GRANT, _grant(samples.JOB_ID), _grant_urn()),
            ],
            (
                _want("name", samples.JOB_ID, _grant_urn(), references.JOB, JOB_URN),
                _want(
                    "member",
                    f"serviceAccount:{SCHEDULER_SA}",
                    _grant_urn(),
                    references.ACCOUNT,
                    _ACCOUNT_URN,
                ),
            ),
        ),
        # A scheduler job's jobs.run URI, a secret version's secret, an alert on a log metric.
        Bad(
            [
                _job(),
                Res(references.ACCOUNT, _account(), _ACCOUNT_URN),
                Res(SCHEDULE, samples.scheduler_job(), dependencies=[_ACCOUNT_URN]),
                Res(references.SECRET, {"secretId": "jwt-secret-key"}, urn(references.SECRET)),
                Res(VERSION, {"secret": "projects/acme-staging/secrets/jwt-secret-key"}),
                Res(references.LOG_METRIC, {"name": "staging_probe_results"}),
                Res(POLICY_TYPE, _metric_alert("staging_probe_results")),
            ],
            (
                _want(
                    "httpTarget.uri",
                    f"https://run.googleapis.com/v2/{samples.JOB_ID}:run",
                    urn(SCHEDULE, "staging-probe-connectivity"),
                    references.JOB,
                    JOB_URN,
                ),
                _want(
                    "secret",
                    "projects/acme-staging/secrets/jwt-secret-key",
                    urn(VERSION),
                    references.SECRET,
                    urn(references.SECRET),
                ),
                _want(
                    "conditions.conditionThreshold.filter",
                    'metric.type="logging.googleapis.com/user/staging_probe_results" '
                    'AND resource.type="cloud_run_job"',
                    urn(POLICY_TYPE),
                    references.LOG_METRIC,
                    urn(references.LOG_METRIC, "staging_probe_results"),
                ),
            ),
        ),
        # The job's project is known and the name is the job's in that project; a job of that
        # name in another project comes first and is passed over.
        Bad(
            [
                Res(references.JOB, {**samples.job(), "project": "other"}, OTHER_JOB_URN),
                _job(samples.PROJECT),
                Res(GRANT, _grant(samples.JOB_ID), _grant_urn()),
            ],
            (_want("name", samples.JOB_ID, _grant_urn(), references.JOB, JOB_URN),),
        ),
        # The job's project unknown at preview: the name may be the job's, so it must wait.
        Bad(
            [_job(samples.UNKNOWN), Res(GRANT, _grant(samples.JOB_ID), _grant_urn())],
            (_want("name", samples.JOB_ID, _grant_urn(), references.JOB, JOB_URN),),
        ),
        # Two jobs of one name (two regions): waiting for the first is not waiting for the
        # second. A binding's members: a malformed one first, then a stack account.
        Bad(
            [
                Res(references.JOB, samples.job(), OTHER_JOB_URN),
                _job(),
                Res(references.ACCOUNT, _account(), _ACCOUNT_URN),
                Res(GRANT, _grant(), _grant_urn(), dependencies=[OTHER_JOB_URN, _ACCOUNT_URN]),
                Res(BINDING, {"name": "other", "members": [7, f"serviceAccount:{SCHEDULER_SA}"]}),
            ],
            (
                _want("name", "backend-probe", _grant_urn(), references.JOB, JOB_URN),
                _want(
                    "members",
                    f"serviceAccount:{SCHEDULER_SA}",
                    urn(BINDING, "other"),
                    references.ACCOUNT,
                    _ACCOUNT_URN,
                ),
            ),
        ),
    ],
)
# pragma: no mutate end
