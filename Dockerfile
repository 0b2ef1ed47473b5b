# Polity's production image: gunicorn serving the web interface (static files through WhiteNoise); the same
# image runs the task worker and the scheduler with another command (compose.yaml, docs/deployment.md).
# Build: docker build -t polity .   Run: see compose.yaml.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv

RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /app

# Dependencies first (a layer that changes only with uv.lock), with the S3 storage extra so one image
# serves either storage (config/file_storage.py).
COPY pyproject.toml uv.lock .python-version README.md ./
RUN uv sync --frozen --no-dev --extra s3 --no-install-project
COPY config ./config
COPY polity ./polity
COPY manage.py ./
RUN uv sync --frozen --no-dev --extra s3

ENV PATH=/app/.venv/bin:$PATH \
    POLITY_ENV=production \
    POLITY_VAR_DIR=/data \
    POLITY_MEDIA_ROOT=/data/media \
    POLITY_STATIC_ROOT=/app/static

# Static files are collected into the image; settings need a secret key to load in production, so a
# throwaway one serves this step only (collectstatic neither signs nor stores anything with it).
RUN POLITY_SECRET_KEY=collectstatic-only-not-used-at-run-time polity collectstatic --noinput -v 0

RUN useradd --system --uid 10001 --home-dir /data polity \
    && mkdir -p /data/media \
    && chown -R polity /data
USER polity
VOLUME ["/data/media"]
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py"]
