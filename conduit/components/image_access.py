"""Reader grants for images pulled from another project's Artifact Registry repository: Cloud
Run pulls with the stack project's service agent, which that project must let read
(conduit.core.images). The services and the probe job wait for these grants."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.options import child_options
from conduit.core import facts
from conduit.core.images import Repository


@dataclass(frozen=True)
class ImageAccessArgs:
    project: str
    """The stack's project, whose Cloud Run service agent pulls the images."""
    repositories: dict[Repository, str]
    """Each foreign repository -> the settings key of the first image pulled from it."""


class ImageAccess(pulumi.ComponentResource):
    """`roles/artifactregistry.reader` on each foreign repository for the Cloud Run agent."""

    grants: list[gcp.artifactregistry.RepositoryIamMember]

    def __init__(
        self, name: str, args: ImageAccessArgs, opts: ResourceOptions | None = None
    ) -> None:
        super().__init__("conduit:images:ImageAccess", name, {}, opts)
        child = child_options(self, opts)
        project = gcp.organizations.get_project_output(project_id=args.project)
        agent = project.number.apply(
            lambda number: f"serviceAccount:{facts.RUN_SERVICE_AGENT.format(number=number)}"
        )
        self.grants = []
        for repo, key in args.repositories.items():
            grant = gcp.artifactregistry.RepositoryIamMember(
                f"{name}-{repo.project}-{repo.repository}-reader",
                project=repo.project,
                location=repo.location,
                repository=repo.repository,
                role=facts.ARTIFACT_REGISTRY_READER,
                member=agent,
                opts=child,
            )
            provenance.declare(grant, {"": key})
            self.grants.append(grant)
        self.register_outputs({"grants": [grant.id for grant in self.grants]})
