"""A healthy stack as Google's APIs describe it, served by the local fake
(tests/support/fake_google.py)."""

from __future__ import annotations

from google.cloud import run_v2, secretmanager, vpcaccess_v1

from tests.support.fake_google import FakeGoogle

PROJECT, REGION = "acme-staging", "us-central1"
SERVICE = f"projects/{PROJECT}/locations/{REGION}/services/backend"
CONNECTOR = f"projects/{PROJECT}/locations/{REGION}/connectors/staging-connector"
SECRETS = {"JWT_SECRET_KEY": "jwt-secret-key", "DATABASE_PASSWORD": "backend-db-password"}
INSTANCE = "staging-instance-3a9df98"


def healthy_google() -> FakeGoogle:
    fake = FakeGoogle()
    fake.objects[SERVICE] = run_v2.Service(
        name=SERVICE,
        latest_created_revision=f"{SERVICE}/revisions/backend-00002",
        latest_ready_revision=f"{SERVICE}/revisions/backend-00002",
        terminal_condition=run_v2.Condition(
            type_="Ready", state=run_v2.Condition.State.CONDITION_SUCCEEDED
        ),
        traffic_statuses=[run_v2.TrafficTargetStatus(revision="backend-00002", percent=100)],
        template=run_v2.RevisionTemplate(
            scaling=run_v2.RevisionScaling(min_instance_count=1, max_instance_count=10),
            max_instance_request_concurrency=80,
            timeout={"seconds": 300},
            vpc_access=run_v2.VpcAccess(
                connector=CONNECTOR, egress=run_v2.VpcAccess.VpcEgress.PRIVATE_RANGES_ONLY
            ),
            containers=[
                run_v2.Container(
                    env=[
                        run_v2.EnvVar(name="DATABASE_POOL_SIZE", value="20"),
                        run_v2.EnvVar(name="DATABASE_INIT_TIMEOUT_SECONDS", value="75"),
                        # What the staging backend's requiredEnv names.
                        run_v2.EnvVar(name="DATABASE_HOST", value="10.60.0.3"),
                        run_v2.EnvVar(name="REDIS_HOST", value="10.60.1.4"),
                        *(
                            run_v2.EnvVar(
                                name=name,
                                value_source=run_v2.EnvVarSource(
                                    secret_key_ref=run_v2.SecretKeySelector(
                                        secret=secret, version="latest"
                                    )
                                ),
                            )
                            for name, secret in (
                                ("DATABASE_PASSWORD", "backend-db-password"),
                                ("JWT_SECRET_KEY", "jwt-secret-key"),
                                ("REDIS_AUTH", "staging-redis-auth"),
                            )
                        ),
                    ]
                )
            ],
        ),
    )
    fake.log_entries = [log_entry(f"i{n}", STARTED) for n in range(5)]
    fake.objects[f"projects/{PROJECT}/instances/{INSTANCE}"] = {
        "name": INSTANCE,
        "databaseVersion": "POSTGRES_15",
        "settings": {
            "tier": "db-custom-2-7680",
            "availabilityType": "ZONAL",
            "deletionProtectionEnabled": True,
            "ipConfiguration": {"ipv4Enabled": False, "sslMode": "ENCRYPTED_ONLY"},
            "backupConfiguration": {"enabled": True, "pointInTimeRecoveryEnabled": True},
            "databaseFlags": [{"name": "max_connections", "value": "400"}],
        },
    }
    fake.objects[CONNECTOR] = vpcaccess_v1.Connector(
        name=CONNECTOR,
        state=vpcaccess_v1.Connector.State.READY,
        machine_type="e2-standard-4",
        min_instances=3,
        max_instances=10,
        ip_cidr_range="10.8.0.0/28",
    )
    for secret in SECRETS.values():
        name = f"projects/{PROJECT}/secrets/{secret}/versions/latest"
        fake.objects[name] = secretmanager.SecretVersion(
            name=name, state=secretmanager.SecretVersion.State.ENABLED
        )
    return fake


def log_entry(instance: str, text: str):
    from google.cloud.logging_v2.types import LogEntry

    return LogEntry(
        log_name=f"projects/{PROJECT}/logs/run.googleapis.com%2Fvarlog%2Fsystem",
        text_payload=text,
        labels={"instanceId": instance},
        resource={"type": "cloud_run_revision", "labels": {"service_name": "backend"}},
    )


STARTED = (
    'STARTUP HTTP probe succeeded after 3 attempts for container "backend-1" on path "/health".'
)
PROBE_FAILED = (
    'STARTUP HTTP probe failed 12 times consecutively for container "backend-1" on path "/health". '
    "The instance was not started."
)
