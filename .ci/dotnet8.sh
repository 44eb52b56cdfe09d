#!/usr/bin/env bash
# Lays out the .NET 8 runtimes (Microsoft.NETCore.App and Microsoft.AspNetCore.App) beside the SDK's own, so that the net8.0
# legs of the tests really run on .NET 8. The machine's SDK (10.x) ships only the .NET 10 runtime; NuGet serves .NET 8's
# runtime packs (the ones a self-contained build copies), and their lib/ and native/ folders together are exactly a shared
# framework folder (with its .deps.json and .runtimeconfig.json). The SDK picks the patch version it knows, as it would
# for a self-contained build. Idempotent and quiet: does nothing when a .NET 8 runtime of both frameworks is present.
# Usage: .ci/dotnet8.sh   (exit status 0 when .NET 8 is there afterwards)
set -euo pipefail

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
if dotnet --list-runtimes | grep -q '^Microsoft\.NETCore\.App 8\.' \
  && dotnet --list-runtimes | grep -q '^Microsoft\.AspNetCore\.App 8\.'; then
  exit 0
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "dotnet8.sh: no .NET 8 runtime pack for machine $(uname -m)" >&2; exit 1 ;;
esac
rid="linux-$arch"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Outside the repository: none of its Directory.*.props (central package versions) apply to this throwaway project.
cat > "$work/runtime8.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net8.0</TargetFramework>
    <RuntimeIdentifier>$rid</RuntimeIdentifier>
    <SelfContained>true</SelfContained>
  </PropertyGroup>
  <ItemGroup>
    <FrameworkReference Include="Microsoft.AspNetCore.App" />
  </ItemGroup>
  <Target Name="PrintRuntimePacks" DependsOnTargets="ProcessFrameworkReferences">
    <Message Importance="high" Text="runtime-pack %(RuntimePack.FrameworkName) %(RuntimePack.NuGetPackageId) %(RuntimePack.NuGetPackageVersion)" />
  </Target>
</Project>
PROJ
dotnet restore "$work/runtime8.csproj" -v quiet >/dev/null
packages=$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: *//')

# One line per runtime pack: "FrameworkName PackageId Version".
dotnet msbuild "$work/runtime8.csproj" -nologo -v:m -t:PrintRuntimePacks \
  | sed -n -E 's/^ *runtime-pack +//p' \
  | while read -r framework id version; do
      pack="$packages/${id,,}/$version/runtimes/$rid"
      target="$dotnet_root/shared/$framework/$version"
      if [ ! -d "$pack/lib/net8.0" ]; then
        echo "dotnet8.sh: $id $version was restored but $pack/lib/net8.0 is missing" >&2
        exit 1
      fi
      if [ ! -d "$target" ]; then
        staging="$dotnet_root/shared/$framework/.$version.partial"
        rm -rf "$staging"
        mkdir -p "$staging"
        cp -a "$pack/lib/net8.0/." "$staging/"
        if [ -d "$pack/native" ]; then cp -a "$pack/native/." "$staging/"; fi
        mv "$staging" "$target"
      fi
    done

dotnet --list-runtimes | grep -q '^Microsoft\.NETCore\.App 8\.' && dotnet --list-runtimes | grep -q '^Microsoft\.AspNetCore\.App 8\.'
