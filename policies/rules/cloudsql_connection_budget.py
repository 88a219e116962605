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
from policies.guard.cloudrun import SERVICE, max_instances, pool
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


def check(resources: Sequence[StackResource], config: Config) -> Iterator[Violation]:
    instances = of_type(resources, INSTANCE)
    linker = instance_linker(instances)
    users: dict[str, list[capacity.ServiceDemand]] = {}
    for service in of_type(resources, SERVICE):
        count, sizes = max_instances(service.props), pool(service.props)
        if count is None or sizes is None:
            continue
        name = str(at(service.props, "name", str))
        demand = capacity.ServiceDemand(name, count, pool_size=sizes[0], max_overflow=sizes[1])
        for instance in instances_of(service, linker):
            users.setdefault(instance.urn, []).append((demand, service.urn))
    for instance in instances:
        limit = max_connections(instance)
        if instance.urn not in users or limit is None:
            continue
        services = [demand for demand, _ in users[instance.urn]]
        # The validator's probes (the label Conduit sets from successCriteria) must fit as well.
        probe = probe_connections(instance)
        reserved = config["reservedConnections"] + probe
        budget = capacity.connection_budget(
            limit, services, reserved, config["headroomPercent"] / 100
        )
        if budget.fits:
            continue
        detail = "; ".join(
            f"{s.name}: {s.max_instances} x {s.per_instance} = {s.connections}, largest safe "
            f"maxInstances {capacity.largest_safe_max_instances(budget, s)}"
            for s in services
        )
        yield Violation(
            f"services may open {budget.demand} connections but max_connections {limit} leaves "
            f"{budget.available} after {budget.reserved} reserved"
            + (f" (incl. {probe} for the probe)" if probe else "")
            + f" and {budget.headroom} headroom "
            f"({detail}).",
            observed=budget.demand,
            required=f"<= {budget.available}",
            urn=instance.urn,
            # What the user most often changes first: each service's pool, its scale, then the flag.
            related=(
                *(
                    (urn, path)
                    for _, urn in users[instance.urn]
                    for path in (POOL_SIZE, "template.scaling.maxInstanceCount")
                ),
                (instance.urn, FLAG),
            ),
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


_UNLABELLED = changed(samples.instance(), "settings.userLabels", None)

_INSTANCE_URN = urn(INSTANCE, "staging-instance")
# What every budget violation names to change, in order: the service's pool, its scale, the flag.
_RELATED = (
    (urn(SERVICE, "backend"), POOL_SIZE),
    (urn(SERVICE, "backend"), "template.scaling.maxInstanceCount"),
    (_INSTANCE_URN, FLAG),
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


# pragma: no mutate end

EXAMPLES = Examples(
    good=[
        [Res(INSTANCE, samples.instance()), Res(SERVICE, samples.service())],
        [Res(INSTANCE, samples.instance()), Res(SERVICE, _one_instance("7"))],
        # No probe label: only the reserved connections are kept free (357 fit).
        [Res(INSTANCE, _UNLABELLED), Res(SERVICE, _one_instance("57"))],
        # Two services at exactly the budget together.
        [
            Res(INSTANCE, samples.instance()),
            Res(SERVICE, samples.service()),
            Res(SERVICE, _auth("7")),
        ],
        # A flag that is not a number: the budget cannot be judged.
        [
            Res(INSTANCE, changed(_FLAG_50, "settings.databaseFlags.1.value", "many")),
            Res(SERVICE, samples.service()),
        ],
    ],
    bad=[
        Bad(
            [Res(INSTANCE, samples.instance()), Res(SERVICE, _one_instance("8"))],
            (
                Want(
                    (
                        "services may open 308 connections but max_connections 400 leaves 307 "
                        "after 53 reserved (incl. 50 for the probe) and 40 headroom (backend: 1 "
                        "x 308 = 308, largest safe maxInstances 0)."
                    ),
                    (),
                    308,
                    "<= 307",
                    urn=_INSTANCE_URN,
                    related=_RELATED,
                ),
            ),
        ),
        Bad(
            [Res(INSTANCE, _UNLABELLED), Res(SERVICE, _one_instance("58"))],
            (
                Want(
                    (
                        "services may open 358 connections but max_connections 400 leaves 357 "
                        "after 3 reserved and 40 headroom (backend: 1 x 358 = 358, largest safe "
                        "maxInstances 0)."
                    ),
                    (),
                    358,
                    "<= 357",
                    urn=_INSTANCE_URN,
                    related=_RELATED,
                ),
            ),
        ),
        # An instance no service uses, and one whose services fit, come first: the next still
        # counts.
        Bad(
            [
                _spare("unused"),
                _spare("fitting"),
                _user_of("fitting"),
                Res(INSTANCE, samples.instance()),
                Res(SERVICE, _one_instance("8")),
            ],
            (
                Want(
                    (
                        "services may open 308 connections but max_connections 400 leaves 307 "
                        "after 53 reserved (incl. 50 for the probe) and 40 headroom (backend: 1 "
                        "x 308 = 308, largest safe maxInstances 0)."
                    ),
                    (),
                    308,
                    "<= 307",
                    urn=_INSTANCE_URN,
                    related=_RELATED,
                ),
            ),
        ),
        # Each service fits alone (300 and 8 of 307); together they do not.
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
                        "after 53 reserved (incl. 50 for the probe) and 40 headroom (backend: 10 "
                        "x 30 = 300, largest safe maxInstances 9; auth: 1 x 8 = 8, largest safe "
                        "maxInstances 0)."
                    ),
                    (),
                    308,
                    "<= 307",
                    urn=_INSTANCE_URN,
                    related=(
                        *_RELATED[:2],
                        (urn(SERVICE, "auth"), POOL_SIZE),
                        (urn(SERVICE, "auth"), "template.scaling.maxInstanceCount"),
                        _RELATED[2],
                    ),
                ),
            ),
        ),
        # A service without a pool is left out; the next one still counts.
        Bad(
            [
                Res(INSTANCE, _FLAG_50),
                Res(SERVICE, {**_NO_POOL, "name": "worker"}),
                Res(SERVICE, samples.service()),
            ],
            (
                Want(
                    (
                        "services may open 300 connections but max_connections 50 leaves -8 "
                        "after 53 reserved (incl. 50 for the probe) and 5 headroom (backend: 10 "
                        "x 30 = 300, largest safe maxInstances 0)."
                    ),
                    (),
                    300,
                    "<= -8",
                    urn=_INSTANCE_URN,
                    related=_RELATED,
                ),
            ),
        ),
        Bad(
            [Res(INSTANCE, _SMALL), Res(SERVICE, _POOL_50)],
            (
                Want(
                    (
                        "services may open 500 connections but max_connections 50 leaves -8 "
                        "after 53 reserved (incl. 50 for the probe) and 5 headroom (backend: 10 "
                        "x 50 = 500, largest safe maxInstances 0)."
                    ),
                    (),
                    500,
                    "<= -8",
                    urn=_INSTANCE_URN,
                    related=_RELATED,
                ),
            ),
        ),
        Bad(
            [Res(INSTANCE, samples.instance()), Res(SERVICE, samples.service())],
            (
                Want(
                    (
                        "services may open 300 connections but max_connections 400 leaves 147 "
                        "after 53 reserved (incl. 50 for the probe) and 200 headroom (backend: 10 "
                        "x 30 = 300, largest safe maxInstances 4)."
                    ),
                    (),
                    300,
                    "<= 147",
                    urn=_INSTANCE_URN,
                    related=_RELATED,
                ),
            ),
            {"headroomPercent": 50},
        ),
    ],
)
