"""Correct properties of each resource type, as the engine sends them: the base of the examples."""

from __future__ import annotations

from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

PROJECT = "acme-staging"
REGION = "us-central1"
CONNECTOR_ID = f"projects/{PROJECT}/locations/{REGION}/connectors/staging-connector"
CONNECTION_NAME = f"{PROJECT}:{REGION}:staging-instance"
SERVICE_ACCOUNT = f"backend-run@{PROJECT}.iam.gserviceaccount.com"
UNKNOWN = UNKNOWN_STRING_VALUE
"""How the engine sends a value it cannot know at preview (the SDK's proxy raises on it)."""


def connector() -> dict[str, Any]:
    return {
        "name": "staging-connector",
        "region": REGION,
        "ipCidrRange": "10.8.0.0/28",
        "machineType": "e2-standard-4",
        "minInstances": 3,
        "maxInstances": 10,
        "network": "staging-vpc",
    }


def instance() -> dict[str, Any]:
    return {
        "name": "staging-instance",
        "databaseVersion": "POSTGRES_15",
        "region": REGION,
        "deletionProtection": True,
        "connectionName": CONNECTION_NAME,
        "settings": {
            "tier": "db-custom-2-7680",
            "edition": "ENTERPRISE",
            "availabilityType": "ZONAL",
            "deletionProtectionEnabled": True,
            "ipConfiguration": {
                "ipv4Enabled": False,
                "privateNetwork": f"projects/{PROJECT}/global/networks/staging-vpc",
                "sslMode": "ENCRYPTED_ONLY",
            },
            "backupConfiguration": {"enabled": True, "pointInTimeRecoveryEnabled": True},
            "databaseFlags": [{"name": "max_connections", "value": "400"}],
            "userLabels": {"conduit-probe-connections": "50"},
        },
    }


NETWORK_ID = f"projects/{PROJECT}/global/networks/staging-vpc"


def redis() -> dict[str, Any]:
    return {
        "name": "staging-redis",
        "region": REGION,
        "tier": "STANDARD_HA",
        "memorySizeGb": 1,
        "redisVersion": "REDIS_7_2",
        "authorizedNetwork": NETWORK_ID,
        "connectMode": "PRIVATE_SERVICE_ACCESS",
        "authEnabled": True,
        "transitEncryptionMode": "SERVER_AUTHENTICATION",
        "host": "10.60.1.4",
        "port": 6378,
    }


def service() -> dict[str, Any]:
    env = {
        "DATABASE_POOL_SIZE": "20",
        "DATABASE_MAX_OVERFLOW": "10",
        "DATABASE_INIT_TIMEOUT_SECONDS": "75",
        "CLOUD_SQL_CONNECTION_NAME": CONNECTION_NAME,
        "LOG_LEVEL": "info",
    }
    envs: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in env.items()]
    envs.append(
        {
            "name": "JWT_SECRET_KEY",
            "valueSource": {"secretKeyRef": {"secret": "jwt-secret-key", "version": "latest"}},
        }
    )
    probe = {"periodSeconds": 10, "timeoutSeconds": 5, "initialDelaySeconds": 0}
    return {
        "name": "backend",
        "location": REGION,
        "ingress": "INGRESS_TRAFFIC_ALL",
        "template": {
            "serviceAccount": SERVICE_ACCOUNT,
            "timeout": "300s",
            "maxInstanceRequestConcurrency": 80,
            "scaling": {"minInstanceCount": 1, "maxInstanceCount": 10},
            "vpcAccess": {"connector": CONNECTOR_ID, "egress": "PRIVATE_RANGES_ONLY"},
            "volumes": [{"name": "cloudsql", "cloudSqlInstance": {"instances": [CONNECTION_NAME]}}],
            "containers": [
                {
                    "image": "us-docker.pkg.dev/cloudrun/container/hello",
                    "envs": envs,
                    "startupProbe": {
                        **probe,
                        "failureThreshold": 12,
                        "httpGet": {"path": "/health"},
                    },
                    "livenessProbe": {
                        **probe,
                        "periodSeconds": 30,
                        "failureThreshold": 3,
                        "httpGet": {"path": "/health"},
                    },
                }
            ],
        },
    }


def service_v1() -> dict[str, Any]:
    """`service()` written as a Cloud Run v1 (Knative) service: the same settings, v1's places."""
    env = {
        "DATABASE_POOL_SIZE": "20",
        "DATABASE_MAX_OVERFLOW": "10",
        "DATABASE_INIT_TIMEOUT_SECONDS": "75",
        "CLOUD_SQL_CONNECTION_NAME": CONNECTION_NAME,
        "LOG_LEVEL": "info",
    }
    envs: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in env.items()]
    envs.append(
        {
            "name": "JWT_SECRET_KEY",
            "valueFrom": {"secretKeyRef": {"name": "jwt-secret-key", "key": "latest"}},
        }
    )
    probe = {"periodSeconds": 10, "timeoutSeconds": 5, "initialDelaySeconds": 0}
    return {
        "name": "backend",
        "location": REGION,
        "metadata": {"annotations": {"run.googleapis.com/ingress": "all"}},
        "template": {
            "metadata": {
                "annotations": {
                    "autoscaling.knative.dev/minScale": "1",
                    "autoscaling.knative.dev/maxScale": "10",
                    "run.googleapis.com/vpc-access-connector": CONNECTOR_ID,
                    "run.googleapis.com/vpc-access-egress": "private-ranges-only",
                    "run.googleapis.com/cloudsql-instances": CONNECTION_NAME,
                }
            },
            "spec": {
                "serviceAccountName": SERVICE_ACCOUNT,
                "timeoutSeconds": 300,
                "containerConcurrency": 80,
                "containers": [
                    {
                        "image": "us-docker.pkg.dev/cloudrun/container/hello",
                        "envs": envs,
                        "startupProbe": {
                            **probe,
                            "failureThreshold": 12,
                            "httpGet": {"path": "/health"},
                        },
                        "livenessProbe": {
                            **probe,
                            "periodSeconds": 30,
                            "failureThreshold": 3,
                            "httpGet": {"path": "/health"},
                        },
                    }
                ],
            },
        },
    }


def direct_service_v1() -> dict[str, Any]:
    """direct_service() as a v1 service: network interfaces in their revision annotation."""
    props = service_v1()
    annotations = props["template"]["metadata"]["annotations"]
    del annotations["run.googleapis.com/vpc-access-connector"]
    annotations["run.googleapis.com/network-interfaces"] = (
        '[{"network": "staging-vpc", "subnetwork": "staging-run-egress"}]'
    )
    props["template"]["spec"]["containers"][0]["startupProbe"]["failureThreshold"] = 16
    return props


def v1_service_annotation(props: dict[str, Any], key: str, value: str) -> dict[str, Any]:
    """A v1 service (changed in place) with service annotation `key` set to `value`."""
    props["metadata"]["annotations"][key] = value
    return props


def v1_annotation(props: dict[str, Any], key: str, value: str | None) -> dict[str, Any]:
    """A v1 service (changed in place) with revision annotation `key` set (None removes it):
    annotation keys hold dots, which `changed` reads as steps."""
    annotations = props["template"]["metadata"]["annotations"]
    annotations.pop(key, None)
    if value is not None:
        annotations[key] = value
    return props


def v1_env_value(props: dict[str, Any], name: str, value: str | None) -> dict[str, Any]:
    """`env_value` for a v1 service (`service_v1()`), changed in place."""
    envs = props["template"]["spec"]["containers"][0]["envs"]
    envs[:] = [e for e in envs if e["name"] != name]
    if value is not None:
        envs.append({"name": name, "value": value})
    return props


SUBNET_ID = f"projects/{PROJECT}/regions/{REGION}/subnetworks/staging-run-egress"


def subnet() -> dict[str, Any]:
    return {
        "name": "staging-run-egress",
        "region": REGION,
        "network": NETWORK_ID,
        "ipCidrRange": "10.9.0.0/24",
        "privateIpGoogleAccess": True,
    }


def direct_service() -> dict[str, Any]:
    """service() on Direct VPC egress, its start-up window (160 s) covering 75 s of DB init, 60 s
    of egress warm-up and a 15 s margin."""
    props = service()
    props["template"]["vpcAccess"] = {
        "networkInterfaces": [{"network": "staging-vpc", "subnetwork": "staging-run-egress"}],
        "egress": "PRIVATE_RANGES_ONLY",
    }
    props["template"]["containers"][0]["startupProbe"]["failureThreshold"] = 16
    return props


def job() -> dict[str, Any]:
    """The probe job on Direct VPC egress: 10 tasks at once."""
    return {
        "name": "backend-probe",
        "location": REGION,
        "template": {
            "taskCount": 10,
            "parallelism": 10,
            "template": {
                "serviceAccount": SERVICE_ACCOUNT,
                "vpcAccess": {
                    "networkInterfaces": [
                        {"network": "staging-vpc", "subnetwork": "staging-run-egress"}
                    ],
                    "egress": "PRIVATE_RANGES_ONLY",
                },
                "containers": [{"image": "probe", "args": ["probe"]}],
            },
        },
    }


def router_nat() -> dict[str, Any]:
    return {
        "name": "staging-nat",
        "router": "staging-router",
        "region": REGION,
        "natIpAllocateOption": "AUTO_ONLY",
        "sourceSubnetworkIpRangesToNat": "ALL_SUBNETWORKS_ALL_IP_RANGES",
    }


INFRA_CHANNEL = f"projects/{PROJECT}/notificationChannels/101"
APP_CHANNEL = f"projects/{PROJECT}/notificationChannels/202"


def channel(team: str = "infrastructure") -> dict[str, Any]:
    return {
        "name": INFRA_CHANNEL if team == "infrastructure" else APP_CHANNEL,
        "type": "email",
        "labels": {"email_address": f"{team}@acme.example"},
        "userLabels": {"conduit-team": team},
    }


def alert_policy(covers: str, failure_class: str = "infrastructure") -> dict[str, Any]:
    team = "application" if failure_class == "application" else "infrastructure"
    return {
        "displayName": f"staging: {covers}",
        "combiner": "OR",
        "notificationChannels": [INFRA_CHANNEL if team == "infrastructure" else APP_CHANNEL],
        "userLabels": {
            "conduit-team": team,
            "conduit-failure-class": failure_class,
            "conduit-covers": covers,
        },
    }


JOB_ID = f"projects/{PROJECT}/locations/{REGION}/jobs/backend-probe"


def scheduler_job(schedule: str = "*/5 * * * *") -> dict[str, Any]:
    return {
        "name": "staging-probe-connectivity",
        "region": REGION,
        "schedule": schedule,
        "timeZone": "Etc/UTC",
        "httpTarget": {
            "uri": f"https://run.googleapis.com/v2/{JOB_ID}:run",
            "httpMethod": "POST",
            "oauthToken": {
                "serviceAccountEmail": f"staging-probe-scheduler@{PROJECT}.iam.gserviceaccount.com"
            },
        },
    }


def env_value(props: dict[str, Any], name: str, value: str | None) -> dict[str, Any]:
    """`props` (a service, changed in place) with env `name` set to `value` (None removes it)."""
    envs = props["template"]["containers"][0]["envs"]
    envs[:] = [e for e in envs if e["name"] != name]
    if value is not None:
        envs.append({"name": name, "value": value})
    return props
