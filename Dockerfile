# Two images from one file: `web` (Flask under gunicorn) and `worker` (RQ + LibreOffice + fonts).
FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml ./
COPY sakip ./sakip
COPY service ./service
COPY workers ./workers
COPY storage ./storage
COPY config ./config
COPY cli ./cli
COPY signing ./signing
COPY doctypes ./doctypes
COPY clients ./clients
RUN pip install -e . -e clients/python && useradd --create-home --uid 10001 docgen && mkdir -p /data && chown docgen /data
VOLUME ["/data"]

FROM base AS web
USER docgen
EXPOSE 8000
CMD ["gunicorn", "-c", "python:service.gunicorn_config", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "90", "service.app:create_app()"]

FROM base AS worker
# LibreOffice with its Python UNO bridge (the warm converter runs under /usr/bin/python3);
# fonts metric-compatible with Arial, Times New Roman, Calibri and Bookman keep the layout;
# tini as PID 1 reaps converter hosts whose starting work horse is gone, so none stays a zombie;
# LibreOffice runs with jemalloc (libjemalloc2): less CPU per conversion than with glibc's malloc.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libreoffice-writer-nogui python3-uno fonts-liberation2 \
      fonts-crosextra-carlito fonts-texgyre tini libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && /usr/bin/python3 -c "import uno"
ENV DOCGEN_CONVERTER_PYTHON=/usr/bin/python3
USER docgen
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["python", "-m", "workers"]
