# CPU image of graphstorm_py: gs-construct, gs-train and gs-infer on the PATH.
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
WORKDIR /opt/graphstorm_py

# CPU torch from PyTorch's CPU index; the default index would pull a CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch>=2.6"

COPY pyproject.toml setup.py README.md ./
COPY graphstorm_py ./graphstorm_py
COPY gconstruct ./gconstruct
COPY training ./training
COPY inference ./inference
COPY deploy ./deploy
RUN pip install .

ENTRYPOINT []
CMD ["gs-construct", "--help"]
