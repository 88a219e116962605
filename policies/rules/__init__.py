"""The catalogue: every rule module of the pack, one policy each, named once here in the order
the pack reports them (connector, Direct VPC, Cloud SQL, Cloud Run, secrets, Redis, operations,
security). tests/policies/test_rules.py fails for a module under policies/rules/ that ORDER leaves
out."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

ORDER = (
    "connector_cidr_is_28",
    "connector_instance_bounds",
    "connector_warm_capacity",
    "connector_machine_type_advisory",
    "connector_capacity_covers_services",
    "connector_region_matches_service",
    "direct_vpc_subnet_capacity",
    "direct_vpc_startup_probe",
    "direct_vpc_region_matches_service",
    "direct_vpc_cloud_nat_advisory",
    "cloudsql_no_public_ip",
    "cloudsql_private_network",
    "cloudsql_ssl_required",
    "cloudsql_backups_and_pitr",
    "cloudsql_deletion_protection",
    "cloudsql_dedicated_core",
    "cloudsql_edition_matches_tier",
    "cloudsql_max_connections_valid",
    "cloudsql_connection_budget",
    "cloudrun_startup_probe_covers_db_init",
    "cloudrun_startup_probe_http",
    "cloudrun_liveness_probe",
    "cloudrun_egress_through_connector",
    "cloudrun_secrets_by_reference",
    "cloudrun_dedicated_service_account",
    "cloudrun_no_public_invoker",
    "cloudrun_request_timeout",
    "cloudrun_connections_per_instance",
    "service_required_env_provided",
    "secret_references_resolve",
    "secret_accessor_least_privilege",
    "secret_no_unread_accessor_grant",
    "secret_one_name_per_secret",
    "redis_auth_enabled",
    "redis_transit_encryption",
    "redis_private_service_access",
    "redis_region_matches_service",
    "redis_high_availability",
    "alerts_cover_startup_path",
    "alerts_routed_by_class",
    "continuous_validation_scheduled",
    "cloudrun_invoker_iam_enabled",
    "cloudrun_ingress_restricted",
    "cloudrun_job_no_public_members",
    "cloudrun_job_dedicated_service_account",
    "cloudrun_job_secrets_by_reference",
    "iam_no_project_privileged_roles",
    "compute_firewall_no_public_admin_ports",
    "compute_subnet_flow_logs",
    "cloudsql_audit_logging",
    "cloudsql_latest_major_version",
    "cloudsql_user_per_client",
    "references_wait_for_target",
)

MODULES: list[ModuleType] = [import_module(f"{__name__}.{name}") for name in ORDER]

POLICIES = [module.POLICY for module in MODULES]
