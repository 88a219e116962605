"""Google Cloud limits and defaults, one place for the settings, the policies and the validator.

Every figure comes from ../shared/reference/gcp-limits.md; the section is named beside each group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

# §1 Serverless VPC Access connector.
ConnectorMachineType = Literal["f1-micro", "e2-micro", "e2-standard-4"]
CONNECTOR_MACHINE_TYPES: tuple[str, ...] = get_args(ConnectorMachineType)
CONNECTOR_MACHINE_MBPS: dict[str, int] = dict(
    zip(CONNECTOR_MACHINE_TYPES, (50, 100, 1600), strict=True)
)
"""Throughput per connector instance (Mbps), derived from the documented 2..10 instance ranges."""
CONNECTOR_DEDICATED_MACHINE_TYPE: ConnectorMachineType = "e2-standard-4"
"""The one connector machine type with dedicated CPU."""
CLOUD_RUN_DEFAULT_MAX_INSTANCES = 100
"""A Cloud Run service's maximum instances when it sets none ("By default, Cloud Run services
are configured to have a maximum of 100 instances": cloud.google.com/run/docs/configuring/
max-instances): a service that leaves the limit out scales to it."""
CONNECTOR_MIN_INSTANCES = (2, 9)
CONNECTOR_MAX_INSTANCES = (3, 10)
CONNECTOR_PREFIX_LENGTH = 28
CONNECTOR_NAME_PATTERN = r"^[a-z][-a-z0-9]{0,23}[a-z0-9]$"

# §1 Direct VPC egress (DVPC, RUNNET): instances take addresses from a subnet of the VPC, no
# connector. Cloud Run holds about 2 addresses per instance and reserves them 16 (a /28) at a time;
# the subnet must be /26 or larger. Start-up "might experience connection establishment delays of a
# minute or more"; with Cloud NAT, cold starts may take 30 s or more longer; 1 Gbps per instance.
EgressPath = Literal["connector", "direct"]
EGRESS_PATHS: tuple[str, ...] = get_args(EgressPath)
DIRECT_VPC_MAX_PREFIX = 26
DIRECT_VPC_ADDRESSES_PER_INSTANCE = 2
DIRECT_VPC_RESERVATION_BLOCK = 16
DIRECT_VPC_EGRESS_WARMUP_SECONDS = 60
SUBNET_RESERVED_ADDRESSES = 4
"""Addresses Google keeps in every subnet's primary range: network, gateway, second-to-last and
broadcast (https://cloud.google.com/vpc/docs/subnets#unusable-ip-addresses-in-every-subnet)."""
SUBNET_NAME_PATTERN = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
SUBNET_RANGES: tuple[str, ...] = (
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "240.0.0.0/4",
)
"""The ranges Conduit accepts for the subnet: RFC 1918, RFC 6598 and Class E (DVPC allows the
last two)."""

# Regions. Where the stack's parts are offered; a region outside RUN_REGIONS is refused, one
# outside REDIS_REGIONS only with conduit:redis. Sources, as read in the docs on 2026-12-01:
# - Cloud Run: https://cloud.google.com/run/docs/locations (tier 1 and tier 2 lists);
# - Cloud SQL: https://cloud.google.com/sql/docs/postgres/locations ("available in all Google
#   Cloud regions"): every Cloud Run region below is one;
# - Serverless VPC Access: connectors are created where Cloud Run runs (no separate list was found
#   in Google's docs; UNCONFIRMED, so the connector takes the Cloud Run list);
# - Memorystore for Redis: https://cloud.google.com/memorystore/docs/redis/regions (its list from
#   africa-south1 to northamerica-northeast1; the rest as the Redis Cluster page lists it,
#   https://cloud.google.com/memorystore/docs/cluster/locations).
RUN_REGIONS: tuple[str, ...] = (
    "africa-south1",
    "asia-east1",
    "asia-east2",
    "asia-northeast1",
    "asia-northeast2",
    "asia-northeast3",
    "asia-south1",
    "asia-south2",
    "asia-southeast1",
    "asia-southeast2",
    "australia-southeast1",
    "australia-southeast2",
    "europe-central2",
    "europe-north1",
    "europe-southwest1",
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "europe-west10",
    "europe-west12",
    "me-central1",
    "me-central2",
    "me-west1",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "southamerica-east1",
    "southamerica-west1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
)
"""Regions with Cloud Run, Cloud SQL and Serverless VPC Access."""
REDIS_REGIONS: tuple[str, ...] = RUN_REGIONS
"""Memorystore for Redis lists every Cloud Run region above."""

# §2 Cloud Run v2.
REQUEST_TIMEOUT_SECONDS = (1, 3600)
CONCURRENCY = (1, 1000)
STARTUP_PROBE_WINDOW_MAX_SECONDS = 240
STARTUP_PROBE_INITIAL_DELAY_MAX = 240
STARTUP_PROBE_PERIOD = (1, 240)
DEFAULT_STARTUP_PROBE = {
    "initialDelaySeconds": 0,
    "periodSeconds": 240,
    "timeoutSeconds": 240,
    "failureThreshold": 1,
}
"""Cloud Run's startup probe when none is declared: TCP, one try of the whole window."""
LIVENESS_PROBE_INITIAL_DELAY_MAX = 3600
LIVENESS_PROBE_PERIOD = (1, 3600)
PROBE_TIMEOUT = (1, 3600)
CLOUD_SQL_CONNECTIONS_PER_RUN_INSTANCE = 100
Egress = Literal["PRIVATE_RANGES_ONLY", "ALL_TRAFFIC"]
EGRESS_DEFAULT: Egress = "PRIVATE_RANGES_ONLY"
"""What Cloud Run uses when vpcAccess names no egress."""
Ingress = Literal[
    "INGRESS_TRAFFIC_ALL",
    "INGRESS_TRAFFIC_INTERNAL_ONLY",
    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
]
ENV_VAR_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
URL_ENV_SUFFIXES: tuple[str, ...] = ("_URL", "_URI", "_DSN")
"""Env names read as a URL (DATABASE_URL, ...): a value the stack must never generate."""
SERVICE_NAME_PATTERN = r"^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$"
RUN_JOB_NAME_PATTERN = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
# CPU and memory of an instance (https://cloud.google.com/run/docs/configuring/cpu and
# /configuring/services/memory-limits): whole CPUs are 1, 2, 4, 6 or 8, each with a memory range;
# below 1 CPU, 0.08-1 in steps of 0.01, at most 512 MiB of memory under 0.5 CPU, at most 1 GiB
# under 1 CPU, and concurrency 1.
RUN_CPU_MEMORY_MIB: dict[int, tuple[int, int]] = {
    1: (128, 4 * 1024),
    2: (128, 8 * 1024),
    4: (2 * 1024, 16 * 1024),
    6: (4 * 1024, 24 * 1024),
    8: (4 * 1024, 32 * 1024),
}
RUN_FRACTIONAL_CPU = (0.08, 1.0)
RUN_FRACTIONAL_CPU_STEP = 0.01
RUN_FRACTIONAL_MEMORY_MIB: tuple[tuple[float, int], ...] = ((0.5, 1024), (0.08, 512))
"""(CPU at or above, largest memory in MiB) below 1 CPU, largest first."""
RUN_MEMORY_PATTERN = re.compile(r"^(\d+)(Mi|Gi)$")
RUN_CPU_PATTERN = re.compile(r"^(\d+(?:\.\d+)?)(m?)$")

# §3 Cloud SQL for PostgreSQL.
BACKUP_RETENTION_COUNT = (1, 365)
TRANSACTION_LOG_RETENTION_DAYS_ENTERPRISE = (1, 7)
# The Admin API refuses `retainedBackups <= transactionLogRetentionDays` ("Invalid request: backup
# retention should be > transaction log retention.").
MAX_CONNECTIONS_FLAG_MIN = 14
SHARED_CORE_TIERS_MEMORY_GB: dict[str, float] = {"db-f1-micro": 0.6, "db-g1-small": 1.7}
DEFAULT_MAX_CONNECTIONS_BY_MEMORY_GB: tuple[tuple[float, int], ...] = (
    # (memory at or above, default max_connections), largest first.
    (120, 1000),
    (60, 800),
    (30, 600),
    (15, 500),
    (7.5, 400),
    (6, 200),
    (3.75, 100),
    (1.7, 50),
    (0, 25),
)
CUSTOM_TIER_PATTERN = re.compile(r"^db-custom-(\d+)-(\d+)$")
CUSTOM_TIER_MEMORY_PER_VCPU_GB = (0.9, 6.5)
CUSTOM_TIER_MEMORY_MIN_MIB = 3840
CUSTOM_TIER_MEMORY_STEP_MIB = 256
CUSTOM_TIER_VCPU_MAX = 96
Edition = Literal["ENTERPRISE"]
"""The one edition of every tier a stack file can name (parse_tier: shared-core and db-custom-*):
"Cloud SQL Enterprise edition: general purpose shared core, general purpose dedicated core, N4";
Enterprise Plus takes only its own N2 and C4A series, the db-perf-optimized-N-* machine types
(https://cloud.google.com/sql/docs/postgres/machine-series-overview). A program of its own may
set ENTERPRISE_PLUS: cloudsql-edition-matches-tier judges it."""
Availability = Literal["ZONAL", "REGIONAL"]
ENTERPRISE_PLUS_DEFAULT_FROM_VERSION = 16
POSTGRES_VERSION_PATTERN = re.compile(r"^POSTGRES_(\d+)$")
SUPERUSER_RESERVED_CONNECTIONS = 3
PRIVATE_SERVICES_MAX_PREFIX = 24
SSL_MODES: tuple[str, ...] = (
    "ALLOW_UNENCRYPTED_AND_ENCRYPTED",
    "ENCRYPTED_ONLY",
    "TRUSTED_CLIENT_CERTIFICATE_REQUIRED",
)
SSL_MODES_ENCRYPTED: tuple[str, ...] = SSL_MODES[1:]
"""The modes that refuse clear-text connections."""
SSL_MODE_REQUIRED = "ENCRYPTED_ONLY"
"""What Conduit sets: TLS for every connection, no client certificate needed."""
DATABASE_USER_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
"""A built-in user's name as Conduit derives it: a PostgreSQL identifier that needs no quoting,
at most NAMEDATALEN - 1 = 63 bytes ("longer names ... are truncated",
https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS)."""

# Memorystore for Redis (https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/
# projects.locations.instances): a tier, 1-300 GiB, AUTH and in-transit encryption, reached on
# private services access; with TLS the server listens on 6378, without on 6379.
RedisTier = Literal["BASIC", "STANDARD_HA"]
REDIS_MEMORY_GB = (1, 300)
REDIS_VERSION_PATTERN = r"^REDIS_\d+_(\d+|X)$"
RedisTransitEncryption = Literal["SERVER_AUTHENTICATION", "DISABLED"]
REDIS_INSTANCE_ID_PATTERN = r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$"
REDIS_PORT_TLS = 6378
REDIS_PORT = 6379
REDIS_CONNECT_MODE = "PRIVATE_SERVICE_ACCESS"

# §4 Secret Manager.
SECRET_ID_PATTERN = r"^[A-Za-z0-9_-]{1,255}$"

# IAM.
SERVICE_ACCOUNT_ID_PATTERN = re.compile(r"^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$")
RUN_SERVICE_AGENT = "service-{number}@serverless-robot-prod.iam.gserviceaccount.com"
"""The Cloud Run service agent, which pulls images: it needs roles/artifactregistry.reader on a
repository of another project (https://cloud.google.com/run/docs/deploying#other-projects)."""
MONITORING_SERVICE_AGENT = "service-{number}@gcp-sa-monitoring-notification.iam.gserviceaccount.com"
"""The Monitoring service agent, whose identity token an uptime check with OIDC_TOKEN
authentication sends (ServiceAgentAuthentication, monitoring.v3 discovery document). It is
created by `services identity create --service=monitoring.googleapis.com`, which a fresh project
may not have had (GoogleCloudPlatform/cloud-foundation-fabric creates it the same way)."""
MONITORING_SERVICE = "monitoring.googleapis.com"

# Artifact Registry.
PUBLIC_IMAGE_PROJECTS: tuple[str, ...] = ("cloudrun",)
"""Projects whose images anyone may pull: Google's Cloud Run samples
(`us-docker.pkg.dev/cloudrun/container/hello`, https://cloud.google.com/run/docs/quickstarts)."""
ARTIFACT_REGISTRY_READER = "roles/artifactregistry.reader"


@dataclass(frozen=True)
class Tier:
    """A Cloud SQL machine tier as far as connection limits care."""

    name: str
    memory_gb: float
    shared_core: bool


class TierError(ValueError):
    """A tier name that Cloud SQL would refuse."""


def parse_tier(name: str) -> Tier:
    """Parse a shared-core or `db-custom-<vCPU>-<MiB>` tier; TierError names the rule it breaks."""
    if name in SHARED_CORE_TIERS_MEMORY_GB:
        return Tier(name, SHARED_CORE_TIERS_MEMORY_GB[name], shared_core=True)
    match = CUSTOM_TIER_PATTERN.match(name)
    if match is None:
        allowed = ", ".join(SHARED_CORE_TIERS_MEMORY_GB)
        raise TierError(f"unknown tier {name!r}; allowed: {allowed} or db-custom-<vCPU>-<MiB>")
    vcpu, mib = int(match.group(1)), int(match.group(2))
    if not (vcpu == 1 or (vcpu % 2 == 0 and 2 <= vcpu <= CUSTOM_TIER_VCPU_MAX)):
        raise TierError(f"tier {name!r}: vCPU must be 1 or an even number 2-96, got {vcpu}")
    if mib % CUSTOM_TIER_MEMORY_STEP_MIB or mib < CUSTOM_TIER_MEMORY_MIN_MIB:
        raise TierError(
            f"tier {name!r}: memory must be a multiple of 256 MiB and at least 3840 MiB, got {mib}"
        )
    low, high = CUSTOM_TIER_MEMORY_PER_VCPU_GB
    per_vcpu = mib / 1024 / vcpu
    if not low <= per_vcpu <= high:
        raise TierError(
            f"tier {name!r}: memory must be {low}-{high} GB per vCPU, got {per_vcpu:.2f} GB"
        )
    return Tier(name, mib / 1024, shared_core=False)


def default_max_connections(memory_gb: float) -> int:
    """Cloud SQL's default max_connections for an instance of this memory size."""
    for floor, connections in DEFAULT_MAX_CONNECTIONS_BY_MEMORY_GB:
        if memory_gb >= floor:
            return connections
    raise AssertionError("the table ends at 0 GB")


def postgres_major(version: str) -> int | None:
    """The major version of `POSTGRES_<n>`, or None for anything else."""
    match = POSTGRES_VERSION_PATTERN.match(version)
    return int(match.group(1)) if match else None


def effective_edition(version: str, edition: str | None) -> str:
    """The edition Cloud SQL applies: an unset edition means ENTERPRISE_PLUS from POSTGRES_16 on."""
    if edition:
        return edition
    major = postgres_major(version)
    if major is not None and major >= ENTERPRISE_PLUS_DEFAULT_FROM_VERSION:
        return "ENTERPRISE_PLUS"
    return "ENTERPRISE"


def run_cpu(value: str) -> float | None:
    """CPUs of a Cloud Run `cpu` limit ("1", "0.5", "500m"), or None when it is not a number."""
    match = RUN_CPU_PATTERN.match(value)
    if match is None:
        return None
    number = float(match.group(1))
    return number / 1000 if match.group(2) else number


def run_memory_mib(value: str) -> int | None:
    """MiB of a Cloud Run `memory` limit ("512Mi", "2Gi"), or None when it is not one."""
    match = RUN_MEMORY_PATTERN.match(value)
    if match is None:
        return None
    return int(match.group(1)) * (1024 if match.group(2) == "Gi" else 1)


def run_resources_problem(cpu: float, memory_mib: int, concurrency: int) -> str | None:
    """Why Cloud Run refuses this cpu, memory and concurrency, or None when it accepts them."""
    whole = ", ".join(str(n) for n in RUN_CPU_MEMORY_MIB)
    if cpu >= 1:
        if cpu not in RUN_CPU_MEMORY_MIB:
            return f"cpu must be {whole}, or 0.08-1 in steps of 0.01; got {cpu:g}"
        low, high = RUN_CPU_MEMORY_MIB[int(cpu)]
        if not low <= memory_mib <= high:
            return f"{cpu:g} CPU takes {low}-{high} MiB of memory; got {memory_mib} MiB"
        return None
    fraction_low, _ = RUN_FRACTIONAL_CPU
    steps = cpu / RUN_FRACTIONAL_CPU_STEP
    if cpu < fraction_low or abs(steps - round(steps)) > 1e-9:
        return f"cpu must be {whole}, or 0.08-1 in steps of 0.01; got {cpu:g}"
    largest = next(mib for floor, mib in RUN_FRACTIONAL_MEMORY_MIB if cpu >= floor)
    if memory_mib > largest:
        return f"{cpu:g} CPU allows at most {largest} MiB of memory; got {memory_mib} MiB"
    if concurrency != 1:
        return f"below 1 CPU, concurrency must be 1; got {concurrency}"
    return None


# Security: exposure, identities and audit logging (issue #26). Each set names the Checkov
# (bridgecrewio/checkov, checkov/terraform/checks/resource/gcp/) or Trivy
# (aquasecurity/trivy-checks, checks/cloud/google/) check that defines it, or Google's page.
PUBLIC_MEMBERS: tuple[str, ...] = ("allUsers", "allAuthenticatedUsers")
"""IAM's principals for anyone on the internet, signed in to Google or not (CKV_GCP_102)."""
INVOKER_ROLE = "roles/run.invoker"
"""Invokes a service; on a job, runs it without overrides: "To execute jobs using the Google Cloud
CLI: Cloud Run Invoker (roles/run.invoker) on the Cloud Run job; ... to override job
configurations ...: Cloud Run Developer" (https://cloud.google.com/run/docs/execute/jobs)."""
BASIC_ROLES: tuple[str, ...] = ("roles/owner", "roles/editor", "roles/viewer")
"""Basic roles (CKV_GCP_117 GoogleProjectBasicRole, AbsGoogleBasicRoles.BASIC_ROLES)."""
IMPERSONATION_ROLES: tuple[str, ...] = (
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountTokenCreator",
)
"""Act as or mint tokens for every service account of the project when granted on it
(CKV_GCP_41 GoogleRoleServiceAccountUser; Trivy AVD-GCP-0011
no-project-level-service-account-impersonation)."""
INTERNAL_INGRESS: tuple[str, ...] = (
    "INGRESS_TRAFFIC_INTERNAL_ONLY",
    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
)
"""Cloud Run ingress that refuses requests from the internet
(https://cloud.google.com/run/docs/securing/ingress); the API's default is INGRESS_TRAFFIC_ALL."""
INTERNET_RANGES: tuple[str, ...] = ("0.0.0.0/0", "::/0")
"""Source ranges that allow every address (Trivy AVD-GCP-0027 no-public-ingress; Checkov's
AbsGoogleComputeFirewallUnrestrictedIngress tests 0.0.0.0/0)."""
ADMIN_PORTS: dict[int, str] = {
    22: "SSH",  # CKV_GCP_2
    3389: "RDP",  # CKV_GCP_3
    3306: "MySQL",  # CKV_GCP_88
    5432: "PostgreSQL",
    REDIS_PORT: "Redis",
    REDIS_PORT_TLS: "Redis over TLS",
}
"""Administration and database ports that must never be open to the internet."""
POSTGRES_AUDIT_FLAGS: dict[str, str] = {
    "log_connections": "on",  # CKV_GCP_52, AVD-GCP-0016 pg-log-connections
    "log_disconnections": "on",  # CKV_GCP_53, AVD-GCP-0022 pg-log-disconnections
    "log_checkpoints": "on",  # CKV_GCP_51, AVD-GCP-0025 pg-log-checkpoints
    "log_lock_waits": "on",  # CKV_GCP_54, AVD-GCP-0020 pg-log-lock-waits
    "cloudsql.enable_pgaudit": "on",  # CKV_GCP_110
}
"""Cloud SQL for PostgreSQL flags that must be set, with the value Checkov and Trivy require."""
POSTGRES_STATEMENT_LOGGING_FLAG = "log_min_duration_statement"
POSTGRES_STATEMENT_LOGGING_OFF = "-1"
"""Statements (and the values in them) stay out of the logs: -1, also when absent (CKV_GCP_57,
AVD-GCP-0021 pg-no-min-statement-logging)."""
POSTGRES_LATEST_MAJOR = 18
"""The latest major version Checkov expects (CKV_GCP_79 CloudSqlMajorVersion: POSTGRES_18)."""
PROXY_SUBNET_PURPOSES: tuple[str, ...] = (
    "INTERNAL_HTTPS_LOAD_BALANCER",
    "REGIONAL_MANAGED_PROXY",
    "GLOBAL_MANAGED_PROXY",
)
"""Subnets that cannot have flow logs (CKV_GCP_26 GoogleSubnetworkLoggingEnabled)."""
CREDENTIAL_NAME = re.compile(
    r"SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL|_AUTH(_|$)|^AUTH_", re.IGNORECASE
)
"""A name that says it holds a credential: its value is never shown (settings errors) and never
a literal env value (cloudrun-secrets-by-reference)."""
