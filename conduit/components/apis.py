"""The Google APIs the stack uses, enabled by the stack itself (serviceusage)."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components.options import child_options

REQUIRED_APIS: tuple[str, ...] = (
    "artifactregistry.googleapis.com",  # the probe job's image
    "cloudresourcemanager.googleapis.com",  # the service-networking connection reads the project
    "compute.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",  # conduit validate reads start-ups and probe results
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "vpcaccess.googleapis.com",
)
"""Every API a resource of the stack or `conduit validate` calls (docs/deploy.md lists the same)."""
OPERATIONS_APIS: tuple[str, ...] = ("monitoring.googleapis.com", "cloudscheduler.googleapis.com")
"""Also enabled when the stack has conduit:alerting or conduit:continuousValidation."""
REDIS_API = "redis.googleapis.com"
"""Also enabled when the stack has conduit:redis."""


class ProjectApis(pulumi.ComponentResource):
    """One `gcp.projects.Service` per API; left enabled when the stack is destroyed."""

    services: list[gcp.projects.Service]
    """What every other resource of the stack depends on."""

    def __init__(
        self, name: str, apis: tuple[str, ...] = REQUIRED_APIS, opts: ResourceOptions | None = None
    ) -> None:
        super().__init__("conduit:project:Apis", name, {}, opts)
        child = child_options(self, opts)
        self.services = [
            gcp.projects.Service(
                f"{name}-{api.split('.', 1)[0]}",
                service=api,
                # Other stacks and people share the project's APIs: never switch them off.
                disable_on_destroy=False,
                disable_dependent_services=False,
                opts=child,
            )
            for api in apis
        ]
        self.register_outputs({"services": [s.service for s in self.services]})
