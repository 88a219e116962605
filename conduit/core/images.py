"""Where a container image lives: which Artifact Registry repository, of which project.

Cloud Run pulls an image with its service agent (`service-{number}@serverless-robot-prod`); an
image in another project's repository needs that agent granted `roles/artifactregistry.reader`
there ("If your repositories are in a different project, you must grant Artifact Registry
Reader permissions to the Cloud Run Service Agent":
https://cloud.google.com/artifact-registry/docs/integrate-cloud-run).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conduit.core import facts

_ARTIFACT_REGISTRY = re.compile(
    r"^(?P<location>[a-z0-9-]+)-docker\.pkg\.dev/(?P<project>[^/]+)/(?P<repository>[^/]+)/"
)


@dataclass(frozen=True, order=True)
class Repository:
    """An Artifact Registry Docker repository."""

    project: str
    location: str
    repository: str


def repository_of(image: str) -> Repository | None:
    """The Artifact Registry repository `image` is pulled from; None for other registries."""
    match = _ARTIFACT_REGISTRY.match(image)
    if match is None:
        return None
    return Repository(match["project"], match["location"], match["repository"])


def foreign_repository(image: str, project: str) -> Repository | None:
    """The repository of another project that `image` comes from (public ones excepted), which
    needs a reader grant for the stack's Cloud Run service agent; None when it needs none."""
    repo = repository_of(image)
    if repo is None or repo.project == project or repo.project in facts.PUBLIC_IMAGE_PROJECTS:
        return None
    return repo
