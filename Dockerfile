# The probe image: `conduit probe` as the stack's Cloud Run job runs it (see README, "The storm").
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml ./
COPY conduit ./conduit
RUN pip install --no-cache-dir . && useradd --system probe
USER probe
ENTRYPOINT ["conduit"]
CMD ["probe"]
