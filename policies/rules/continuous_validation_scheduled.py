"""continuous-validation-scheduled: a scheduler job runs the stack's probe job often enough.

The remediation plan asks to validate the fix continuously, so a regression is seen before users
see it. This needs the probe job in the stack and a Cloud Scheduler job that runs it (Cloud Run
Admin API `jobs.run`) with no gap longer than the configured interval. The probe job is
Conduit's (conduit:probeJob): only services and jobs built by Conduit's components are judged,
so a program that does not use them is not asked for a probe job it has no way to declare.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import EnforcementLevel, Severity

from conduit.core import cron
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.built import built_by_conduit
from policies.guard.cloudrun import JOB, SERVICE
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, child, urn
from policies.guard.links import Linker
from policies.guard.props import at, known

SCHEDULE = "gcp:cloudscheduler/job:Job"
REMEDIATION = (
    'Set conduit:probeJob and conduit:continuousValidation (e.g. connectivity "*/5 * * * *").'
)


def _job_of(schedule: StackResource, jobs: Linker) -> StackResource | None:
    uri = at(schedule.props, "httpTarget.uri", str)
    if known(uri) and "/jobs/" in uri and uri.endswith(":run"):
        return jobs.by_key.get(uri.rsplit("/jobs/", 1)[-1].removesuffix(":run"))
    linked = jobs.dependencies_of(schedule)
    return linked[0] if linked else None


def check(resources: Sequence[StackResource], config: Config) -> Iterator[Violation]:
    services = [s for s in of_type(resources, SERVICE) if built_by_conduit(s)]
    if not services:
        return
    jobs = [j for j in of_type(resources, JOB) if built_by_conduit(j)]
    limit = config["maxIntervalMinutes"]
    if not jobs:
        yield Violation(
            "the stack has no probe job for continuous validation to run.",
            ("conduit:probeJob",),
            urn=services[0].urn,
        )
        return
    linker = Linker(jobs, lambda j: at(j.props, "name", str))
    gaps: list[int] = []
    for schedule in of_type(resources, SCHEDULE):
        expression = at(schedule.props, "schedule", str)
        if _job_of(schedule, linker) is None or not known(expression):
            continue
        try:
            gaps.append(cron.parse(expression).longest_gap_minutes)
        except cron.CronError:
            continue
    if not gaps:
        yield Violation(
            "no Cloud Scheduler job runs the probe job: nothing validates the stack between "
            "deploys.",
            ("conduit:continuousValidation",),
            required=f"every {limit} min",
            urn=jobs[0].urn,
        )
    elif min(gaps) > limit:
        yield Violation(
            f"the probe job runs at most every {min(gaps)} min; continuous validation needs a run "
            f"at least every {limit} min.",
            ("conduit:continuousValidation",),
            observed=min(gaps),
            required=limit,
            urn=jobs[0].urn,
        )


POLICY = stack_policy(
    name="continuous-validation-scheduled",
    description="A Cloud Scheduler job runs the probe job at least every maxIntervalMinutes.",
    check=check,
    inspects=("gcp:cloudscheduler/job:Job",),
    severity=Severity.MEDIUM,
    remediation=REMEDIATION,
    enforcement=EnforcementLevel.ADVISORY,
    defaults={"maxIntervalMinutes": 15},
    schema={"maxIntervalMinutes": {"type": "integer", "minimum": 1, "maximum": 10080}},
)

_SERVICE_COMPONENT = "conduit:service:Service"
_JOB_COMPONENT = "conduit:probe:ProbeJob"
_SERVICE = child(_SERVICE_COMPONENT, SERVICE, samples.service())
_JOB = child(_JOB_COMPONENT, JOB, samples.job())
_BASE = [_SERVICE, _JOB]
_JOB_URN = urn(JOB, "backend-probe", _JOB_COMPONENT)
_SERVICE_URN = urn(SERVICE, "backend", _SERVICE_COMPONENT)
# A program's own service and job, not built by Conduit's components.
_FOREIGN_SERVICE = Res(SERVICE, {**samples.service(), "name": "web"})
_FOREIGN_JOB = Res(JOB, {**samples.job(), "name": "migrate"})
_UNSCHEDULED = Want(
    "no Cloud Scheduler job runs the probe job: nothing validates the stack between deploys.",
    ("conduit:continuousValidation",),
    None,
    "every 15 min",
    urn=_JOB_URN,
)
EXAMPLES = Examples(
    good=[
        [*_BASE, Res(SCHEDULE, samples.scheduler_job())],
        # At the limit: every 15 minutes; one fast tier is enough.
        [
            *_BASE,
            Res(SCHEDULE, samples.scheduler_job("*/15 * * * *")),
            Res(SCHEDULE, samples.scheduler_job("0 * * * *")),
        ],
        # A schedule of some other job, or with a schedule unknown at preview, comes first; the
        # probe job's own still counts.
        [
            *_BASE,
            Res(
                SCHEDULE,
                changed(
                    samples.scheduler_job(),
                    "httpTarget.uri",
                    "https://run.googleapis.com/v2/projects/p/locations/r/jobs/other:run",
                ),
            ),
            Res(SCHEDULE, changed(samples.scheduler_job(), "schedule", samples.UNKNOWN)),
            Res(SCHEDULE, changed(samples.scheduler_job(), "schedule", "every 5 minutes")),
            Res(SCHEDULE, samples.scheduler_job()),
        ],
        # A URI that names no job (a hook of the program's own): the dependency links it.
        [
            *_BASE,
            Res(
                SCHEDULE,
                changed(samples.scheduler_job(), "httpTarget.uri", "https://hooks.example/p:run"),
                dependencies=[_JOB_URN],
            ),
        ],
        # The job's id unknown at preview: the dependency links it.
        [
            *_BASE,
            Res(
                SCHEDULE,
                changed(samples.scheduler_job(), "httpTarget.uri", samples.UNKNOWN),
                dependencies=[_JOB_URN],
            ),
        ],
        # No Cloud Run service: nothing to validate.
        [_JOB],
        # A program that does not use Conduit's components has no probe job to declare: its
        # service and job are not judged.
        [_FOREIGN_SERVICE, _FOREIGN_JOB],
    ],
    bad=[
        # One step past: every 16 minutes leaves a 16-minute gap (and 8 at the top of the hour).
        Bad(
            [*_BASE, Res(SCHEDULE, samples.scheduler_job("*/16 * * * *"))],
            (
                Want(
                    "the probe job runs at most every 16 min; continuous validation needs a run "
                    "at least every 15 min.",
                    ("conduit:continuousValidation",),
                    16,
                    15,
                    urn=_JOB_URN,
                ),
            ),
        ),
        Bad(
            [*_BASE, Res(SCHEDULE, samples.scheduler_job("0 * * * *"))],
            (
                Want(
                    "the probe job runs at most every 60 min; continuous validation needs a run "
                    "at least every 15 min.",
                    ("conduit:continuousValidation",),
                    60,
                    15,
                    urn=_JOB_URN,
                ),
            ),
        ),
        # A schedule that runs some other job does not count.
        Bad(
            [
                *_BASE,
                Res(
                    SCHEDULE,
                    changed(
                        samples.scheduler_job(),
                        "httpTarget.uri",
                        "https://run.googleapis.com/v2/projects/p/locations/r/jobs/other:run",
                    ),
                ),
            ],
            (_UNSCHEDULED,),
        ),
        # The job's URI without `:run` reads the job, it does not run it.
        Bad(
            [
                *_BASE,
                Res(
                    SCHEDULE,
                    changed(
                        samples.scheduler_job(),
                        "httpTarget.uri",
                        "https://run.googleapis.com/v2/projects/p/locations/r/jobs/backend-probe",
                    ),
                ),
            ],
            (_UNSCHEDULED,),
        ),
        # A job id unknown at preview and no dependency to link it: not the probe job's.
        Bad(
            [
                *_BASE,
                Res(
                    SCHEDULE,
                    changed(samples.scheduler_job(), "httpTarget.uri", samples.UNKNOWN),
                ),
            ],
            (_UNSCHEDULED,),
        ),
        Bad(
            [_SERVICE],
            (
                Want(
                    "the stack has no probe job for continuous validation to run.",
                    ("conduit:probeJob",),
                    urn=_SERVICE_URN,
                ),
            ),
        ),
        # A program's own service before Conduit's, and its own job, which is no probe job:
        # said at Conduit's service.
        Bad(
            [_FOREIGN_SERVICE, _FOREIGN_JOB, _SERVICE],
            (
                Want(
                    "the stack has no probe job for continuous validation to run.",
                    ("conduit:probeJob",),
                    urn=_SERVICE_URN,
                ),
            ),
        ),
        # The program's own job before the probe job: the probe job is the one said to run
        # unscheduled.
        Bad(
            [_SERVICE, _FOREIGN_JOB, _JOB],
            (_UNSCHEDULED,),
        ),
    ],
)
