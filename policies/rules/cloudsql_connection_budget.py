"""cloudsql-connection-budget: every service at max scale with full pools fits max_connections.

The incident: ten instances with pools doubled from 25 to 50 asked a small instance for more
connections than it had, and start-ups failed with "too many clients".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from pulumi_policy import Severity

from conduit.core import capacity, facts, names
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE, max_instances_or_default, pool, pool_absent
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import instance_linker, instances_of
from policies.guard.props import UNKNOWN, at, items, known

INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance"
FLAG = "settings.databaseFlags.max_connections"
POOL_SIZE = "template.containers.envs.DATABASE_POOL_SIZE"
REMEDIATION = (
    "Lower maxInstances or the pool (DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW), or raise "
    "max_connections / the tier, so that demand plus reserved and headroom fits."
)


def max_connections(instance: StackResource) -> int | None:
    """The max_connections flag, else the tier's default by memory; None when unknowable."""
    for flag in items(instance.props, "settings.databaseFlags"):
        if (
            flag is not UNKNOWN
            and isinstance(flag, Mapping)
            and at(flag, "name", str) == "max_connections"
        ):
            value = at(flag, "value", str)
            return int(value) if known(value) and value.isdigit() else None
    tier = at(instance.props, "settings.tier", str)
    if not known(tier):
        return None
    try:
        return facts.default_max_connections(facts.parse_tier(tier).memory_gb)
    except facts.TierError:
        return None


def probe_connections(instance: StackResource) -> int:
    """The validator's probe peak, from the instance's label (0 when it has none)."""
    value = at(instance.props, f"settings.userLabels.{names.PROBE_CONNECTIONS_LABEL}", str)
    return int(value) if known(value) and value.isdigit() else 0


MAX_INSTANCES = "template.scaling.maxInstanceCount"
OVERFLOW = "template.containers.envs.DATABASE_MAX_OVERFLOW"
PROBE_LABEL = f"settings.userLabels.{names.PROBE_CONNECTIONS_LABEL}"
TIER = "settings.tier"
SETTING_NAMES = {
    capacity.MAX_INSTANCES: "maxInstances",
    capacity.POOL_SIZE: "DATABASE_POOL_SIZE",
    capacity.MAX_CONNECTIONS: "max_connections",
}


def _others(services: Sequence[capacity.ServiceDemand], name: str) -> str:
    others = [s.name for s in services if s.name != name]
    return f" with {' and '.join(others)} as {'it is' if len(others) == 1 else 'they are'}"


def _largest_safe(
    budget: capacity.ConnectionBudget, services: Sequence[capacity.ServiceDemand]
) -> str:
    """Each service's share and the largest maxInstances that fits with the others as they are,
    or, in words, that none does."""
    parts = []
    for s in services:
        largest = capacity.largest_safe_max_instances(budget, s)
        others = _others(services, s.name) if len(services) > 1 else ""
        fit = f"largest safe maxInstances {largest}" if largest else "no maxInstances fits"
        parts.append(
            f"{s.name}: {s.max_instances} x {s.per_instance} = {s.connections}, {fit}{others}"
        )
    return "; ".join(parts)


def _reserved(budget: capacity.ConnectionBudget, superusers: int, probe: int) -> str:
    """Who reserves the reserved connections: the policy's setting and the probe's label."""
    by = [f"{superusers} by the policy's reservedConnections"]
    if probe:
        by.append(f"{probe} by the probe's label {names.PROBE_CONNECTIONS_LABEL}")
    return f"{budget.reserved} reserved ({', '.join(by)})"


def check(resources: Sequence[StackResource], config: Config) -> Iterator[Violation]:
    instances = of_type(resources, INSTANCE)
    linker = instance_linker(instances)
    users: dict[str, list[tuple[capacity.ServiceDemand, str]]] = {}
    for service in of_type(resources, SERVICE):
        count, sizes = max_instances_or_default(service.props), pool(service.props)
        if count is None:
            continue
        name = str(at(service.props, "name", str))
        if sizes is None and pool_absent(service.props):
            # No pool declared is not no connections: the budget cannot count what it opens.
            for instance in instances_of(service, linker):
                yield Violation(
                    f"service {name} uses instance {at(instance.props, 'name', str)} but declares "
                    "no DATABASE_POOL_SIZE: the connections it opens (up to "
                    f"{count} instances) cannot be counted in the budget.",
                    (POOL_SIZE,),
                    required="DATABASE_POOL_SIZE (and DATABASE_MAX_OVERFLOW)",
                    urn=service.urn,
                    related=((instance.urn, FLAG),),
                )
        if sizes is None:
            continue
        demand = capacity.ServiceDemand(name, count, pool_size=sizes[0], max_overflow=sizes[1])
        for instance in instances_of(service, linker):
            users.setdefault(instance.urn, []).append((demand, service.urn))
    for instance in instances:
        limit = max_connections(instance)
        if instance.urn not in users or limit is None:
            continue
        # By name: the engine registers services in no fixed order, and a report must not move.
        services = sorted((demand for demand, _ in users[instance.urn]), key=lambda s: s.name)
        # The validator's probes (the label Conduit sets from successCriteria) must fit as well.
        probe = probe_connections(instance)
        ratio = config["headroomPercent"] / 100
        reserved = config["reservedConnections"] + probe
        budget = capacity.connection_budget(limit, services, reserved, ratio)
        if budget.fits:
            continue
        cause = capacity.budget_changes(budget, services, ratio)[0]
        urns = {demand.name: urn for demand, urn in users[instance.urn]}
        flagged = any(
            known(flag) and isinstance(flag, Mapping) and flag.get("name") == "max_connections"
            for flag in items(instance.props, "settings.databaseFlags")
        )
        related = [
            *(
                entry
                for s in services
                for entry in (
                    (urns[s.name], MAX_INSTANCES, f"{s.name}: maxInstances {s.max_instances}"),
                    (urns[s.name], POOL_SIZE, f"{s.name}: DATABASE_POOL_SIZE {s.pool_size}"),
                    (urns[s.name], OVERFLOW, f"{s.name}: DATABASE_MAX_OVERFLOW {s.max_overflow}"),
                )
            ),
            (
                instance.urn,
                FLAG if flagged else TIER,
                f"max_connections {limit}" + ("" if flagged else " (the tier's default)"),
            ),
            *(
                [(instance.urn, PROBE_LABEL, f"reserves {probe} connections for the probe")]
                if probe
                else []
            ),
        ]
        paths = {
            capacity.MAX_INSTANCES: MAX_INSTANCES,
            capacity.POOL_SIZE: POOL_SIZE,
            capacity.MAX_CONNECTIONS: FLAG if flagged else TIER,
        }
        at_cause = (urns[cause.service] if cause.service else instance.urn, paths[cause.setting])
        # The least change first: the report locates the finding there, the rest beside it.
        related.sort(key=lambda entry: entry[:2] != at_cause)
        setting = f"{cause.service} " if cause.service else ""
        change = f"{setting}{SETTING_NAMES[cause.setting]} {cause.current} -> {cause.proposed}"
        related[0] = (*at_cause, f"the least change: {change}")
        yield Violation(
            f"services may open {budget.demand} connections but max_connections {limit} leaves "
            f"{budget.available} after {_reserved(budget, config['reservedConnections'], probe)} "
            f"and {budget.headroom} headroom ({_largest_safe(budget, services)}). Least change: "
            f"{change}.",
            observed=budget.demand,
            required=f"<= {budget.available}",
            urn=instance.urn,
            related=tuple(related),
        )


POLICY = stack_policy(
    name="cloudsql-connection-budget",
    description="Services at max scale with full pools must fit the instance's max_connections.",
    check=check,
    severity=Severity.CRITICAL,
    remediation=REMEDIATION,
    defaults={
        "reservedConnections": facts.SUPERUSER_RESERVED_CONNECTIONS,
        "headroomPercent": 10,
    },
    schema={
        "reservedConnections": {"type": "integer", "minimum": 0},
        "headroomPercent": {"type": "number", "minimum": 0, "maximum": 90},
    },
)

_SMALL = changed(
    changed(samples.instance(), "settings.tier", "db-g1-small"), "settings.databaseFlags", []
)
_POOL_50 = samples.env_value(
    samples.env_value(samples.service(), "DATABASE_POOL_SIZE", "50"), "DATABASE_MAX_OVERFLOW", "0"
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _one_instance(overflow: str) -> dict:
    """1 instance x (300 + overflow): with max_connections 400, 53 reserved and 40 headroom,
    307 is exactly what fits."""
    scaled = changed(samples.service(), "template.scaling.maxInstanceCount", 1)
    return samples.env_value(
        samples.env_value(scaled, "DATABASE_POOL_SIZE", "300"), "DATABASE_MAX_OVERFLOW", overflow
    )


# A big tier with a small flag: the flag decides.
_FLAG_50 = changed(
    changed(samples.instance(), "settings.tier", "db-custom-16-61440"),
    "settings.databaseFlags",
    [{"name": "log_connections", "value": "on"}, {"name": "max_connections", "value": "50"}],
)
_NO_POOL = samples.env_value(samples.service(), "DATABASE_POOL_SIZE", None)


def _auth(pool_size: str) -> dict:
    """A second service, 1 instance x `pool_size`: fits alone; with backend's 300, 7 fits."""
    scaled = changed(samples.service(), "template.scaling.maxInstanceCount", 1)
    pooled = samples.env_value(scaled, "DATABASE_POOL_SIZE", pool_size)
    return {**samples.env_value(pooled, "DATABASE_MAX_OVERFLOW", "0"), "name": "auth"}


_UNKNOWN_SCALE = changed(_one_instance("8"), MAX_INSTANCES, samples.UNKNOWN)
_UNKNOWN_POOL = samples.env_value(_one_instance("8"), "DATABASE_POOL_SIZE", samples.UNKNOWN)
_UNLABELLED = changed(samples.instance(), "settings.userLabels", None)
_UNFLAGGED_1_3840 = changed(samples.instance(), "settings.databaseFlags", [])

_INSTANCE_URN = urn(INSTANCE, "staging-instance")
_BACKEND = urn(SERVICE, "backend")
_V1_MAX_SCALE = "template.metadata.annotations.autoscaling.knative.dev/maxScale"
_V1_ENVS = "template.spec.containers.envs"
_PROBE = (_INSTANCE_URN, PROBE_LABEL, "reserves 50 connections for the probe")


def _service_related(name: str, scale: int, size: int, overflow: int) -> tuple:
    """What each service contributes, in the rule's order: its scale, its pool, its overflow."""
    return (
        (urn(SERVICE, name), MAX_INSTANCES, f"{name}: maxInstances {scale}"),
        (urn(SERVICE, name), POOL_SIZE, f"{name}: DATABASE_POOL_SIZE {size}"),
        (urn(SERVICE, name), OVERFLOW, f"{name}: DATABASE_MAX_OVERFLOW {overflow}"),
    )


def _least(urn_: str, path: str, change: str) -> tuple[str, str, str]:
    return (urn_, path, f"the least change: {change}")


def _reserved_by(probe: bool = True) -> str:
    return (
        "53 reserved (3 by the policy's reservedConnections, 50 by the probe's label "
        "conduit-probe-connections)"
        if probe
        else "3 reserved (3 by the policy's reservedConnections)"
    )


def _spare(name: str) -> Res:
    """Another instance, and (with `user`) a small service of its own."""
    props = {**changed(samples.instance(), "connectionName", f"p:r:{name}"), "name": name}
    return Res(INSTANCE, props)


def _user_of(instance: str) -> Res:
    scaled = changed(samples.service(), "template.scaling.maxInstanceCount", 1)
    alone = changed(scaled, "template.volumes", None)
    props = samples.env_value(alone, "CLOUD_SQL_CONNECTION_NAME", f"p:r:{instance}")
    return Res(SERVICE, {**props, "name": f"{instance}-user"})


def _scaled(name: str, scale: int, size: str, overflow: str) -> dict:
    """A service named `name` at `scale` instances x (size + overflow)."""
    props = changed(samples.service(), "template.scaling.maxInstanceCount", scale)
    props = samples.env_value(
        samples.env_value(props, "DATABASE_POOL_SIZE", size), "DATABASE_MAX_OVERFLOW", overflow
    )
    return {**props, "name": name}


# The staging copy: db-custom-1-3840 (max_connections 100 by default), backend grown to
# 100 instances x 30, auth 2 x 3 as it was.
_STAGING_COPY = [
    Res(INSTANCE, changed(_UNFLAGGED_1_3840, "settings.tier", "db-custom-1-3840")),
    Res(SERVICE, _scaled("backend", 100, "20", "10")),
    Res(SERVICE, _scaled("auth", 2, "3", "0")),
]


def _unscaled(service: Res, paths: tuple[str, str, str]) -> Bad:
    """The sample instance and `service` with no limit: 100 x 30 of 307, at `paths` (its limit,
    pool and overflow)."""
    limit, size, overflow = paths
    return Bad(
        [Res(INSTANCE, samples.instance()), service],
        (
            Want(
                (
                    "services may open 3000 connections but max_connections 400 leaves 307 "
                    f"after {_reserved_by()} and 40 headroom (backend: 100 x 30 = 3000, "
                    "largest safe maxInstances 10). Least change: backend maxInstances 100 -> 10."
                ),
                (),
                3000,
                "<= 307",
                urn=_INSTANCE_URN,
                related=(
                    _least(service.urn, limit, "backend maxInstances 100 -> 10"),
                    (service.urn, size, "backend: DATABASE_POOL_SIZE 20"),
                    (service.urn, overflow, "backend: DATABASE_MAX_OVERFLOW 10"),
                    (_INSTANCE_URN, FLAG, "max_connections 400"),
                    _PROBE,
                ),
            ),
        ),
    )


_UNSCALED = (
    (
        Res(SERVICE, changed(samples.service(), "template.scaling", None)),
        (MAX_INSTANCES, POOL_SIZE, OVERFLOW),
    ),
    (
        Res(
            SERVICE_V1,
            samples.v1_annotation(samples.service_v1(), "autoscaling.knative.dev/maxScale", None),
        ),
        (_V1_MAX_SCALE, f"{_V1_ENVS}.DATABASE_POOL_SIZE", f"{_V1_ENVS}.DATABASE_MAX_OVERFLOW"),
    ),
)


# pragma: no mutate end

EXAMPLES = Examples(
    good=[
        [Res(INSTANCE, samples.instance()), Res(SERVICE, samples.service())],
        # A pool unknown at preview is set, not absent: the service is not judged.
        [
            Res(INSTANCE, samples.instance()),
            Res(
                SERVICE, samples.env_value(samples.service(), "DATABASE_POOL_SIZE", samples.UNKNOWN)
            ),
        ],
        # A Cloud Run v1 service counts as the v2 service it describes: 10 x 30 fits.
        [Res(INSTANCE, samples.instance()), Res(SERVICE_V1, samples.service_v1())],
        [Res(INSTANCE, samples.instance()), Res(SERVICE, _one_instance("7"))],
        # No probe label: only the reserved connections are kept free (357 fit).
        [Res(INSTANCE, _UNLABELLED), Res(SERVICE, _one_instance("57"))],
        # Two services at exactly the budget together.
        [
            Res(INSTANCE, samples.instance()),
            Res(SERVICE, samples.service()),
            Res(SERVICE, _auth("7")),
        ],
        # The staging copy with backend at its largest safe maxInstances: 1 x 30 + 2 x 3 of 37.
        [_STAGING_COPY[0], Res(SERVICE, _scaled("backend", 1, "20", "10")), _STAGING_COPY[2]],
        # A flag that is not a number, or unknown at preview, or no flag and a tier unknown at
        # preview: the budget cannot be judged.
        *(
            [Res(INSTANCE, instance), Res(SERVICE, samples.service())]
            for instance in (
                changed(_FLAG_50, "settings.databaseFlags.1.value", "many"),
                changed(_FLAG_50, "settings.databaseFlags.1.value", samples.UNKNOWN),
                changed(_UNFLAGGED_1_3840, "settings.tier", samples.UNKNOWN),
            )
        ),
        # A probe label that is not a number reserves nothing: 357 fit, as with no label.
        [
            Res(INSTANCE, changed(samples.instance(), PROBE_LABEL, "many")),
            Res(SERVICE, _one_instance("57")),
        ],
    ],
    bad=[
        # One step past: one instance, so no maxInstances fits; the pool's 300 -> 299 is the
        # least change (0.3 %, where max_connections 400 -> 402 is 0.5 %).
        Bad(
            [Res(INSTANCE, samples.instance()), Res(SERVICE, _one_instance("8"))],
            (
                Want(
                    (
                        "services may open 308 connections but max_connections 400 leaves 307 "
                        f"after {_reserved_by()} and 40 headroom (backend: 1 x 308 = 308, no "
                        "maxInstances fits). Least change: backend DATABASE_POOL_SIZE 300 -> 299."
                    ),
                    (),
                    308,
                    "<= 307",
                    urn=_INSTANCE_URN,
                    related=(
                        _least(_BACKEND, POOL_SIZE, "backend DATABASE_POOL_SIZE 300 -> 299"),
                        (_BACKEND, MAX_INSTANCES, "backend: maxInstances 1"),
                        (_BACKEND, OVERFLOW, "backend: DATABASE_MAX_OVERFLOW 8"),
                        (_INSTANCE_URN, FLAG, "max_connections 400"),
                        _PROBE,
                    ),
                ),
            ),
        ),
        # No maxInstanceCount (v2) or maxScale annotation (v1): the service scales to Cloud
        # Run's default of 100, located where each writes the limit.
        *(_unscaled(resource, at_) for resource, at_ in _UNSCALED),
        # No probe label: nothing is reserved for it and no related location names it.
        Bad(
            [Res(INSTANCE, _UNLABELLED), Res(SERVICE, _one_instance("58"))],
            (
                Want(
                    (
                        "services may open 358 connections but max_connections 400 leaves 357 "
                        f"after {_reserved_by(False)} and 40 headroom (backend: 1 x 358 = 358, "
                        "no maxInstances fits). Least change: backend DATABASE_POOL_SIZE 300 -> "
                        "299."
                    ),
                    (),
                    358,
                    "<= 357",
                    urn=_INSTANCE_URN,
                    related=(
                        _least(_BACKEND, POOL_SIZE, "backend DATABASE_POOL_SIZE 300 -> 299"),
                        (_BACKEND, MAX_INSTANCES, "backend: maxInstances 1"),
                        (_BACKEND, OVERFLOW, "backend: DATABASE_MAX_OVERFLOW 58"),
                        (_INSTANCE_URN, FLAG, "max_connections 400"),
                    ),
                ),
            ),
        ),
        # An instance no service uses, and one whose services fit, come first, and so do a
        # service whose scale and one whose pool is unknown at preview: the next still counts.
        Bad(
            [
                _spare("unused"),
                _spare("fitting"),
                _user_of("fitting"),
                Res(INSTANCE, samples.instance()),
                Res(SERVICE, {**_UNKNOWN_SCALE, "name": "a"}),
                Res(SERVICE, {**_UNKNOWN_POOL, "name": "b"}),
                Res(SERVICE, _one_instance("8")),
            ],
            (
                Want(
                    (
                        "services may open 308 connections but max_connections 400 leaves 307 "
                        f"after {_reserved_by()} and 40 headroom (backend: 1 x 308 = 308, no "
                        "maxInstances fits). Least change: backend DATABASE_POOL_SIZE 300 -> 299."
                    ),
                    (),
                    308,
                    "<= 307",
                    urn=_INSTANCE_URN,
                    related=(
                        _least(_BACKEND, POOL_SIZE, "backend DATABASE_POOL_SIZE 300 -> 299"),
                        (_BACKEND, MAX_INSTANCES, "backend: maxInstances 1"),
                        (_BACKEND, OVERFLOW, "backend: DATABASE_MAX_OVERFLOW 8"),
                        (_INSTANCE_URN, FLAG, "max_connections 400"),
                        _PROBE,
                    ),
                ),
            ),
        ),
        # Each service fits alone (300 and 8 of 307); together they do not. max_connections
        # 400 -> 402 (0.5 %) is less than backend's pool 20 -> 19 (5 %) or scale 10 -> 9.
        Bad(
            [
                Res(INSTANCE, samples.instance()),
                Res(SERVICE, samples.service()),
                Res(SERVICE, _auth("8")),
            ],
            (
                Want(
                    (
                        "services may open 308 connections but max_connections 400 leaves 307 "
                        f"after {_reserved_by()} and 40 headroom (auth: 1 x 8 = 8, no "
                        "maxInstances fits with backend as it is; backend: 10 x 30 = 300, "
                        "largest safe maxInstances 9 with auth as it is). Least change: "
                        "max_connections 400 -> 402."
                    ),
                    (),
                    308,
                    "<= 307",
                    urn=_INSTANCE_URN,
                    related=(
                        _least(_INSTANCE_URN, FLAG, "max_connections 400 -> 402"),
                        *_service_related("auth", 1, 8, 0),
                        *_service_related("backend", 10, 20, 10),
                        _PROBE,
                    ),
                ),
            ),
        ),
        # The staging copy: backend's maxInstances 100 -> 1 is the only change of a
        # service that fits, and less than max_connections 100 -> 3399.
        Bad(
            _STAGING_COPY,
            (
                Want(
                    (
                        "services may open 3006 connections but max_connections 100 leaves 37 "
                        f"after {_reserved_by()} and 10 headroom (auth: 2 x 3 = 6, no "
                        "maxInstances fits with backend as it is; backend: 100 x 30 = 3000, "
                        "largest safe maxInstances 1 with auth as it is). Least change: backend "
                        "maxInstances 100 -> 1."
                    ),
                    (),
                    3006,
                    "<= 37",
                    urn=_INSTANCE_URN,
                    related=(
                        _least(_BACKEND, MAX_INSTANCES, "backend maxInstances 100 -> 1"),
                        *_service_related("auth", 2, 3, 0),
                        *_service_related("backend", 100, 20, 10)[1:],
                        (_INSTANCE_URN, TIER, "max_connections 100 (the tier's default)"),
                        _PROBE,
                    ),
                ),
            ),
        ),
        # Three services: "the others" are named together.
        Bad(
            [
                _STAGING_COPY[0],
                Res(SERVICE, _scaled("backend", 1, "20", "10")),
                _STAGING_COPY[2],
                Res(SERVICE, _scaled("worker", 1, "2", "0")),
            ],
            (
                Want(
                    (
                        "services may open 38 connections but max_connections 100 leaves 37 "
                        f"after {_reserved_by()} and 10 headroom (auth: 2 x 3 = 6, largest safe "
                        "maxInstances 1 with backend and worker as they are; backend: 1 x 30 = "
                        "30, no maxInstances fits with auth and worker as they are; worker: 1 x 2 "
                        "= 2, no maxInstances fits with auth and backend as they are). Least "
                        "change: max_connections 100 -> 102."
                    ),
                    (),
                    38,
                    "<= 37",
                    urn=_INSTANCE_URN,
                    related=(
                        _least(_INSTANCE_URN, TIER, "max_connections 100 -> 102"),
                        *_service_related("auth", 2, 3, 0),
                        *_service_related("backend", 1, 20, 10),
                        *_service_related("worker", 1, 2, 0),
                        _PROBE,
                    ),
                ),
            ),
        ),
        # A service without a pool cannot be counted: said on the service, never left out
        # silently; the next one still counts. Neither its scale nor its pool can fit: only
        # max_connections can.
        Bad(
            [
                Res(INSTANCE, _FLAG_50),
                Res(SERVICE, {**_NO_POOL, "name": "worker"}),
                Res(SERVICE, samples.service()),
            ],
            (
                Want(
                    "service worker uses instance staging-instance but declares no "
                    "DATABASE_POOL_SIZE: the connections it opens (up to 10 instances) cannot be "
                    "counted in the budget.",
                    (POOL_SIZE,),
                    None,
                    "DATABASE_POOL_SIZE (and DATABASE_MAX_OVERFLOW)",
                    urn=urn(SERVICE, "worker"),
                    related=((_INSTANCE_URN, FLAG),),
                ),
                Want(
                    (
                        "services may open 300 connections but max_connections 50 leaves -8 "
                        f"after {_reserved_by()} and 5 headroom (backend: 10 x 30 = 300, no "
                        "maxInstances fits). Least change: max_connections 50 -> 393."
                    ),
                    (),
                    300,
                    "<= -8",
                    urn=_INSTANCE_URN,
                    related=(
                        _least(_INSTANCE_URN, FLAG, "max_connections 50 -> 393"),
                        *_service_related("backend", 10, 20, 10),
                        _PROBE,
                    ),
                ),
            ),
        ),
        # No flag: the tier's default decides, and the tier is where to raise it.
        Bad(
            [Res(INSTANCE, _SMALL), Res(SERVICE, _POOL_50)],
            (
                Want(
                    (
                        "services may open 500 connections but max_connections 50 leaves -8 "
                        f"after {_reserved_by()} and 5 headroom (backend: 10 x 50 = 500, no "
                        "maxInstances fits). Least change: max_connections 50 -> 615."
                    ),
                    (),
                    500,
                    "<= -8",
                    urn=_INSTANCE_URN,
                    related=(
                        _least(_INSTANCE_URN, TIER, "max_connections 50 -> 615"),
                        *_service_related("backend", 10, 50, 0),
                        _PROBE,
                    ),
                ),
            ),
        ),
        # Other flags but not max_connections (and one that is not even an object): still the
        # tier's default, still the tier.
        Bad(
            [
                Res(
                    INSTANCE,
                    changed(
                        _SMALL,
                        "settings.databaseFlags",
                        ["max_connections", {"name": "log_connections"}],
                    ),
                ),
                Res(SERVICE, _POOL_50),
            ],
            (
                Want(
                    (
                        "services may open 500 connections but max_connections 50 leaves -8 "
                        f"after {_reserved_by()} and 5 headroom (backend: 10 x 50 = 500, no "
                        "maxInstances fits). Least change: max_connections 50 -> 615."
                    ),
                    (),
                    500,
                    "<= -8",
                    urn=_INSTANCE_URN,
                    related=(
                        _least(_INSTANCE_URN, TIER, "max_connections 50 -> 615"),
                        *_service_related("backend", 10, 50, 0),
                        _PROBE,
                    ),
                ),
            ),
        ),
        # More headroom: backend's scale 10 -> 4 (60 %) is less than its pool 20 -> 4 (80 %)
        # or max_connections 400 -> 706.
        Bad(
            [Res(INSTANCE, samples.instance()), Res(SERVICE, samples.service())],
            (
                Want(
                    (
                        "services may open 300 connections but max_connections 400 leaves 147 "
                        f"after {_reserved_by()} and 200 headroom (backend: 10 x 30 = 300, "
                        "largest safe maxInstances 4). Least change: backend maxInstances 10 -> 4."
                    ),
                    (),
                    300,
                    "<= 147",
                    urn=_INSTANCE_URN,
                    related=(
                        _least(_BACKEND, MAX_INSTANCES, "backend maxInstances 10 -> 4"),
                        *_service_related("backend", 10, 20, 10)[1:],
                        (_INSTANCE_URN, FLAG, "max_connections 400"),
                        _PROBE,
                    ),
                ),
            ),
            {"headroomPercent": 50},
        ),
    ],
)
