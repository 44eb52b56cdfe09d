# syntax=docker/dockerfile:1
# The image of `hpo serve`: the hpo tool with the CPU libtorch for Linux x64 (so it serves TorchSharp models as well as
# ML.NET ones) on the ASP.NET Core runtime, run as a non-root user. It serves the model repository mounted or synced at
# /models (BASE/NAME/VERSION/, written by `hpo export` or the Iris sample's --export).
#
# Build from the repository root (the build context must be the root, for the sources and the central package versions):
#
#   docker build -f deploy/docker/serving.Dockerfile -t REGISTRY/hpo-serving:0.2.0 .
#
# Run (arguments replace the default ones after `hpo serve`):
#
#   docker run --rm -p 127.0.0.1:8501:8501 -p 127.0.0.1:8500:8500 -v "$PWD/models:/models:ro" REGISTRY/hpo-serving:0.2.0
#
# Inside the container the server listens on every interface (0.0.0.0), which is what a container needs; publish the ports
# on loopback as above, or put a Service or a proxy in front.

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Directory.Build.props src/BannedSymbols.txt src/
COPY src/Hpo/ src/Hpo/
COPY src/Hpo.PostgreSql/ src/Hpo.PostgreSql/
COPY src/Hpo.TorchSharp/ src/Hpo.TorchSharp/
COPY src/Hpo.Serving/ src/Hpo.Serving/
COPY src/Hpo.Visualization/ src/Hpo.Visualization/
COPY src/Hpo.Dashboard/ src/Hpo.Dashboard/
COPY src/Hpo.Cli/ src/Hpo.Cli/
# -p:HpoWithLibTorch=true adds the CPU libtorch for Linux x64 next to the tool (about 1 GB); the NuGet tool leaves it out.
RUN dotnet publish src/Hpo.Cli/Hpo.Cli.csproj -c Release -o /out/hpo -p:UseAppHost=false -p:HpoWithLibTorch=true

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
# LightGbm's native library (ML.NET LightGbm models) needs OpenMP's runtime.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/hpo /opt/hpo
RUN printf '#!/bin/sh\nexec dotnet /opt/hpo/Hpo.Cli.dll "$@"\n' > /usr/local/bin/hpo \
    && chmod 0755 /usr/local/bin/hpo \
    && mkdir -p /models \
    && chown app:app /models
# The runtime images define the non-root user `app` (uid 1654).
USER app
WORKDIR /tmp
# Server GC: the measured configuration (benchmarks/README.md, "model serving").
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_gcServer=1
EXPOSE 8501 8500
ENTRYPOINT ["hpo", "serve"]
CMD ["--model-base-path", "/models", "--urls", "http://0.0.0.0:8501", "--grpc-port", "8500", "--log-format", "json"]
