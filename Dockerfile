# The probe image: `conduit probe` as the stack's Cloud Run job runs it (see README, "The storm").
#
# The base image by digest, not by tag (a tag moves with every rebuild): python:3.11-slim's
# multi-platform index (Python 3.11.15, Debian trixie, built 2026-08-05) as Docker's official
# images record it in docker-library/repo-info, repos/python/remote/3.11-slim.md (commit
# 2477d553d2fdfa57b4ec11f63c8376eca8b7a253). To refresh: `docker buildx imagetools inspect
# python:3.11-slim` prints the index digest now served (or read that file again); replace the
# digest below and the date above in one commit, and let the pull request's checks run.
FROM python:3.11-slim@sha256:90744cff8f32887f075c47d747a173ff333e9e98801667af93c357fa9f5e28ff
WORKDIR /app
# The probe's dependencies from the hash-locked file (requirements/probe.txt, `make lock`): a
# file whose hash is not the lock's is refused, nothing unlisted is installed, no sdist is built.
COPY requirements/probe.txt ./requirements/probe.txt
RUN pip install --no-cache-dir --disable-pip-version-check --require-hashes --no-deps \
        --only-binary :all: -r requirements/probe.txt
COPY pyproject.toml ./
COPY conduit ./conduit
# The project itself, built by the locked setuptools (no build isolation: no unpinned backend).
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps --no-build-isolation . \
    && pip check && useradd --system probe
USER probe
ENTRYPOINT ["conduit"]
CMD ["probe"]
