# syntax=docker/dockerfile:1
# The image of `hpo worker`: the hpo tool (with PostgreSQL support) on the ASP.NET Core runtime (the tool's `dashboard`
# command is an ASP.NET Core server, so the tool needs that shared framework), run as a non-root user.
#
# Build from the repository root (the build context must be the root, for the sources and the central package versions):
#
#   docker build -f deploy/docker/worker.Dockerfile -t REGISTRY/hpo-worker:0.1.0 .
#
# Run (arguments go after `hpo worker`):
#
#   docker run --rm --env-file worker.env REGISTRY/hpo-worker:0.1.0 --study my-study --command "..."
#
# with HPO_STORAGE=postgresql://... in worker.env (mode 600): the URL and its password stay off every command line.
#
# This image has no training program of its own: trials run through `--objective`, through `--command` with a program
# added on top of this image (deploy/docker/trial.Dockerfile, target `worker`), or through `--image` where the worker
# can reach a container engine (a VM, not a Kubernetes pod).

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
# The build settings first, then the projects the tool needs: a change elsewhere in the repository does not rebuild it.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Directory.Build.props src/BannedSymbols.txt src/
COPY src/Hpo/ src/Hpo/
COPY src/Hpo.PostgreSql/ src/Hpo.PostgreSql/
COPY src/Hpo.TorchSharp/ src/Hpo.TorchSharp/
COPY src/Hpo.Serving/ src/Hpo.Serving/
COPY src/Hpo.Visualization/ src/Hpo.Visualization/
COPY src/Hpo.Dashboard/ src/Hpo.Dashboard/
COPY src/Hpo.Cli/ src/Hpo.Cli/
RUN dotnet publish src/Hpo.Cli/Hpo.Cli.csproj -c Release -o /out/hpo -p:UseAppHost=false

# The ASP.NET Core runtime: the tool includes `hpo serve` (Hpo.Serving) and `hpo dashboard` (Hpo.Dashboard), both ASP.NET
# Core servers, so it needs that shared framework to start.
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
COPY --from=build /out/hpo /opt/hpo
# `hpo` on the PATH; exec keeps the worker as the container's main process, so that it receives SIGTERM itself.
RUN printf '#!/bin/sh\nexec dotnet /opt/hpo/Hpo.Cli.dll "$@"\n' > /usr/local/bin/hpo \
    && chmod 0755 /usr/local/bin/hpo \
    && mkdir -p /var/lib/hpo/artifacts \
    && chown -R app:app /var/lib/hpo
# The runtime and aspnet images define the non-root user `app` (uid 1654).
USER app
WORKDIR /var/lib/hpo
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    TMPDIR=/var/lib/hpo
ENTRYPOINT ["hpo", "worker"]
