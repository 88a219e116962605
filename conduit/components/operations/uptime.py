"""Uptime checks on each service's health endpoints, for private services too: the checker sends
an identity token of the Monitoring service agent, which gets roles/run.invoker on the service
(https://cloud.google.com/monitoring/uptime-checks: service agent authentication)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.options import child_options
from conduit.core import facts, teams

PERIOD = "300s"
"""Every 5 minutes: one of the four periods the API allows (60, 300, 600, 900 s)."""


@dataclass(frozen=True)
class CheckedService:
    name: str
    """The service's name in the settings, for resource names and labels."""
    resource_name: pulumi.Input[str]
    """The Cloud Run service's name output: the invoker grant waits for the service."""
    uri: pulumi.Input[str]
    health_endpoints: tuple[str, ...]
    settings_key: str


@dataclass(frozen=True)
class UptimeArgs:
    project: str
    region: str
    environment: str
    services: tuple[CheckedService, ...]


class UptimeChecks(pulumi.ComponentResource):
    """One HTTPS uptime check per health endpoint, authenticated with an OIDC token."""

    check_ids: dict[str, list[pulumi.Output[str]]]
    """Service name -> its checks' ids, for the alert on them."""

    def __init__(self, name: str, args: UptimeArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:operations:UptimeChecks", name, {}, opts)
        child = child_options(self, opts)
        project = gcp.organizations.get_project_output(project_id=args.project, opts=None)
        # The agent that signs the checks' identity tokens may not exist on a fresh project:
        # create it, and grant only once it is there.
        identity = gcp.projects.ServiceIdentity(
            f"{name}-monitoring-agent",
            project=args.project,
            service=facts.MONITORING_SERVICE,
            opts=child,
        )
        provenance.declare(identity, {"": "conduit:alerting"})
        agent = project.number.apply(
            lambda number: f"serviceAccount:{facts.MONITORING_SERVICE_AGENT.format(number=number)}"
        )
        self.check_ids = {}
        for service in args.services:
            grant = gcp.cloudrunv2.ServiceIamMember(
                f"{name}-{service.name}-uptime-invoker",
                name=service.resource_name,
                location=args.region,
                role="roles/run.invoker",
                member=agent,
                opts=child_options(self, opts, [identity]),
            )
            provenance.declare(grant, {"": service.settings_key})
            host = pulumi.Output.from_input(service.uri).apply(
                lambda uri: uri.split("://", 1)[-1].split("/", 1)[0]
            )
            self.check_ids[service.name] = []
            for index, path in enumerate(service.health_endpoints):
                check = gcp.monitoring.UptimeCheckConfig(
                    f"{name}-{service.name}-uptime-{index}",
                    display_name=f"{args.environment} {service.name} {path}",
                    period=PERIOD,
                    timeout="10s",
                    http_check=gcp.monitoring.UptimeCheckConfigHttpCheckArgs(
                        path=path,
                        port=443,
                        use_ssl=True,
                        validate_ssl=True,
                        accepted_response_status_codes=[
                            gcp.monitoring.UptimeCheckConfigHttpCheckAcceptedResponseStatusCodeArgs(
                                status_value=200
                            )
                        ],
                        service_agent_authentication=(
                            gcp.monitoring.UptimeCheckConfigHttpCheckServiceAgentAuthenticationArgs(
                                type="OIDC_TOKEN"
                            )
                        ),
                    ),
                    monitored_resource=gcp.monitoring.UptimeCheckConfigMonitoredResourceArgs(
                        type="uptime_url", labels={"project_id": args.project, "host": host}
                    ),
                    user_labels={
                        teams.TEAM_LABEL: "application",
                        teams.COVERS_LABEL: teams.covers_service(service.name),
                    },
                    opts=child_options(self, opts, [grant]),
                )
                provenance.declare(check, {"": f"{service.settings_key}.healthEndpoints"})
                self.check_ids[service.name].append(check.uptime_check_id)
        self.register_outputs({"checkIds": self.check_ids})
