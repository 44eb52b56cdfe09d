# syntax=docker/dockerfile:1
# An example of a user's training image: a C# program that speaks the trial protocol (src/Hpo/README.md) through
# TrialProcess.Current — samples/Distributed/TrialProgram. Two targets, built from the repository root:
#
#   trial (the default): the training program alone, for `hpo worker --image` (the worker starts one container per trial
#   and passes the protocol's HPO_* environment variables to it):
#
#     docker build -f deploy/docker/trial.Dockerfile -t REGISTRY/hpo-trial:0.1.0 .
#
#   worker: the worker image (deploy/docker/worker.Dockerfile) plus this program, for `hpo worker --command` in a
#   Kubernetes pod or on a VM, where each trial is a child process of the worker:
#
#     docker build -f deploy/docker/trial.Dockerfile --target worker \
#       --build-arg WORKER_IMAGE=REGISTRY/hpo-worker:0.1.0 -t REGISTRY/hpo-trial-worker:0.1.0 .
#
# Your own training image needs only a program that reads HPO_PARAMETERS and prints `hpo:result <value>`.

ARG DOTNET_VERSION=10.0
ARG WORKER_IMAGE=hpo-worker:latest

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Directory.Build.props src/BannedSymbols.txt src/
COPY src/Hpo/ src/Hpo/
COPY samples/Distributed/Objective/ samples/Distributed/Objective/
COPY samples/Distributed/TrialProgram/ samples/Distributed/TrialProgram/
RUN dotnet publish samples/Distributed/TrialProgram/Distributed.TrialProgram.csproj -c Release -o /out/trial -p:UseAppHost=false

# hpo worker + the training program: --command "dotnet /opt/trial/Distributed.TrialProgram.dll"
FROM ${WORKER_IMAGE} AS worker
COPY --from=build /out/trial /opt/trial

# The training program alone (the last stage, so the default target).
FROM mcr.microsoft.com/dotnet/runtime:${DOTNET_VERSION} AS trial
COPY --from=build /out/trial /opt/trial
USER app
WORKDIR /opt/trial
ENTRYPOINT ["dotnet", "/opt/trial/Distributed.TrialProgram.dll"]
