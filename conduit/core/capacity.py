"""Capacity arithmetic shared by the settings, the policies and the validator."""

from __future__ import annotations

from dataclasses import dataclass

from conduit.core import facts


@dataclass(frozen=True)
class ServiceDemand:
    """What one Cloud Run service can ask of a database at full scale."""

    name: str
    max_instances: int
    pool_size: int
    max_overflow: int

    @property
    def per_instance(self) -> int:
        return self.pool_size + self.max_overflow

    @property
    def connections(self) -> int:
        return self.max_instances * self.per_instance


@dataclass(frozen=True)
class ConnectionBudget:
    """The connection budget of one Cloud SQL instance against the services that use it."""

    max_connections: int
    reserved: int
    headroom: int
    demand: int

    @property
    def available(self) -> int:
        return self.max_connections - self.reserved - self.headroom

    @property
    def fits(self) -> bool:
        return self.demand <= self.available


def connection_budget(
    max_connections: int, services: list[ServiceDemand], reserved: int, headroom_ratio: float
) -> ConnectionBudget:
    """Budget `services` against `max_connections`, keeping `reserved` and a headroom share free."""
    headroom = int(max_connections * headroom_ratio + 0.999999)
    demand = sum(service.connections for service in services)
    return ConnectionBudget(max_connections, reserved, headroom, demand)


def largest_safe_max_instances(budget: ConnectionBudget, service: ServiceDemand) -> int:
    """The largest maxInstances for `service` that keeps the budget, the others unchanged
    (0: not even one instance fits)."""
    others = budget.demand - service.connections
    room = budget.available - others
    return max(room // service.per_instance, 0) if service.per_instance else service.max_instances


def smallest_max_connections(demand: int, reserved: int, headroom_ratio: float) -> int:
    """The least max_connections whose budget (after `reserved` and the headroom share) holds
    `demand`."""
    limit = max(demand + reserved, 1)
    while connection_budget(limit, [], reserved, headroom_ratio).available < demand:
        limit += 1
    return limit


MAX_INSTANCES = "maxInstances"
POOL_SIZE = "databasePool.size"
MAX_CONNECTIONS = "max_connections"


@dataclass(frozen=True)
class BudgetChange:
    """One setting changed alone so that the budget fits: `service` None is the instance."""

    setting: str
    current: int
    proposed: int
    service: str | None = None

    @property
    def ratio(self) -> float:
        """How large the change is, relative to the setting's current value."""
        return abs(self.proposed - self.current) / max(self.current, 1)


def budget_changes(
    budget: ConnectionBudget, services: list[ServiceDemand], headroom_ratio: float
) -> list[BudgetChange]:
    """Every single-setting change that makes the budget fit, the least change first: a
    service's maxInstances (down to 1 at least), its pool size (down to 1 at least, overflow as
    it is), or max_connections (up). Ties keep that order, services in theirs."""
    changes = []
    for service in services:
        room = budget.available - (budget.demand - service.connections)
        if service.per_instance and room // service.per_instance >= 1:
            changes.append(
                BudgetChange(
                    MAX_INSTANCES, service.max_instances, room // service.per_instance, service.name
                )
            )
        pool = room // max(service.max_instances, 1) - service.max_overflow
        if pool >= 1:
            changes.append(BudgetChange(POOL_SIZE, service.pool_size, pool, service.name))
    needed = smallest_max_connections(budget.demand, budget.reserved, headroom_ratio)
    changes.append(BudgetChange(MAX_CONNECTIONS, budget.max_connections, needed))
    return sorted(changes, key=lambda change: change.ratio)


def startup_window(initial_delay: int, period: int, failure_threshold: int) -> int:
    """Seconds a container has to pass its startup probe before Cloud Run gives up on it."""
    return initial_delay + period * failure_threshold


def smallest_startup_probe(
    needed_seconds: int, period: int, initial_delay: int = 0
) -> tuple[int, int, int] | None:
    """An (initialDelaySeconds, period, failureThreshold) whose window covers `needed_seconds`:
    the delay as it is when Cloud Run's 240 s cap on failureThreshold x period allows, else
    raised (up to its own 240 s cap); None when even both caps together fall short."""
    if period < 1:
        return None
    longest = facts.STARTUP_PROBE_WINDOW_MAX_SECONDS // period * period
    for delay in (initial_delay, max(initial_delay, needed_seconds - longest)):
        if delay > facts.STARTUP_PROBE_INITIAL_DELAY_MAX:
            continue
        threshold = max(-(-(needed_seconds - delay) // period), 1)
        if period * threshold <= facts.STARTUP_PROBE_WINDOW_MAX_SECONDS:
            return delay, period, threshold
    return None


def longest_startup_window() -> int:
    """The most Cloud Run allows: the largest initialDelaySeconds plus the 240 s probe window."""
    return facts.STARTUP_PROBE_INITIAL_DELAY_MAX + facts.STARTUP_PROBE_WINDOW_MAX_SECONDS


def connector_capacity_mbps(machine_type: str, max_instances: int) -> int:
    """Throughput the connector reaches at its maximum size."""
    return facts.CONNECTOR_MACHINE_MBPS[machine_type] * max_instances


def connector_capacity_bytes_per_second(machine_type: str, max_instances: int) -> float:
    """The same, in the unit of Monitoring's sent/received bytes rates."""
    return connector_capacity_mbps(machine_type, max_instances) * 1_000_000 / 8


def usable_subnet_addresses(prefix_length: int) -> int:
    """Addresses a subnet of `prefix_length` has for Cloud Run, after Google's reserved four."""
    return int(2 ** (32 - prefix_length)) - facts.SUBNET_RESERVED_ADDRESSES


@dataclass(frozen=True)
class DirectVpcDemand:
    """The addresses Direct VPC egress needs for `instances` at once (services at maxInstances,
    jobs at their parallelism): 2 each, a margin of that for revision roll-over, and one more
    16-address reservation block for the next scale-out."""

    instances: int
    margin_percent: int

    @property
    def steady(self) -> int:
        return facts.DIRECT_VPC_ADDRESSES_PER_INSTANCE * self.instances

    @property
    def margin(self) -> int:
        return -(-self.steady * self.margin_percent // 100)

    @property
    def addresses(self) -> int:
        return self.steady + self.margin + facts.DIRECT_VPC_RESERVATION_BLOCK


def smallest_subnet_prefix(addresses: int) -> int:
    """The longest prefix (smallest subnet) with `addresses` usable, never smaller than a /26."""
    prefix = facts.DIRECT_VPC_MAX_PREFIX
    while prefix > 0 and usable_subnet_addresses(prefix) < addresses:
        prefix -= 1
    return prefix
