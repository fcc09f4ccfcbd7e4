# CPU image of graphstorm_py. ENTRYPOINT is gs-sm, SageMaker's entry point: SageMaker runs
# `IMAGE train`, processing jobs `gs-sm construct`; `docker run IMAGE gs-train ...` runs gs-train itself.
#   docker build -t graphstorm-py:cpu .
#   docker run --rm graphstorm-py:cpu gs-train --help
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

# The code lives here, installed as a package; /opt/ml is SageMaker's and stays empty.
WORKDIR /opt/graphstorm_py

# CPU torch from PyTorch's CPU index: the default index would pull a CUDA build.
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu "torch>=2.6,<3"

COPY pyproject.toml setup.py README.md ./
COPY graphstorm_py ./graphstorm_py
COPY gconstruct ./gconstruct
COPY training ./training
COPY inference ./inference
COPY deploy ./deploy
RUN pip install --no-cache-dir . \
    && gs-sm gs-train --help > /dev/null

ENTRYPOINT ["gs-sm"]
CMD ["--help"]
