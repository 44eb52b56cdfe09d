using System.Text;
using Hpo.Models;

namespace Hpo.Tests.Models;

public sealed class ModelRepositoryTests : IDisposable
{
    private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "hpo-models-tests", Guid.NewGuid().ToString("N"))).FullName;

    private static ModelManifest Manifest => new()
    {
        Kind = ModelManifest.MLNetKind,
        Task = ModelManifest.ClassificationTask,
        ModelFile = "model.zip",
        Inputs = [new ModelInput("a", []), new ModelInput("b", [3])],
    };

    [Fact]
    public async Task The_file_system_store_keeps_each_trials_files_under_its_documented_layout()
    {
        var store = new FileSystemArtifactStore(folder);
        await store.WriteAsync("my study/1", 7, "model/model.zip", new MemoryStream([1, 2, 3]), CancellationToken.None);
        await store.WriteAsync("my study/1", 7, "metrics.json", new MemoryStream("{}"u8.ToArray()), CancellationToken.None);
        await store.WriteAsync("my study/1", 7, "metrics.json", new MemoryStream("{\"a\":1}"u8.ToArray()), CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(folder, "my_study_1", "trial-7", "model", "model.zip")));
        Assert.Equal(["metrics.json", "model/model.zip"], await store.ListAsync("my study/1", 7, CancellationToken.None));
        using (var reader = new StreamReader(await store.OpenReadAsync("my study/1", 7, "metrics.json", CancellationToken.None)))
        {
            Assert.Equal("{\"a\":1}", await reader.ReadToEndAsync());
        }

        Assert.Empty(await store.ListAsync("my study/1", 8, CancellationToken.None));
        await Assert.ThrowsAsync<FileNotFoundException>(async () => await store.OpenReadAsync("my study/1", 8, "metrics.json", CancellationToken.None));
        Assert.Empty(Directory.EnumerateFiles(folder, ".*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData(".hidden")]
    [InlineData("model/.tmp")]
    [InlineData("sp ace")]
    [InlineData("")]
    public async Task Paths_that_could_escape_or_hide_are_refused_with_the_rule_and_the_value(string path)
    {
        var store = new FileSystemArtifactStore(folder);
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await store.WriteAsync("s", 0, path, new MemoryStream([1]), CancellationToken.None));
        Assert.Equal("path", e.ParamName);
        Assert.Contains($"\"{path}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_publishers_each_get_their_own_next_version_and_no_temporary_folder_is_left()
    {
        var repository = new ModelRepository(folder);
        ModelVersion[] versions = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() =>
            new ModelRepository(folder).PublishAsync("iris", Manifest, (target, ct) => File.WriteAllTextAsync(Path.Combine(target, "model.zip"), i.ToString(System.Globalization.CultureInfo.InvariantCulture), ct)))));

        Assert.Equal(Enumerable.Range(1, 12).Select(v => (long)v), versions.Select(v => v.Version).Order());
        Assert.Equal(Enumerable.Range(1, 12).Select(v => (long)v), repository.GetVersions("iris"));
        Assert.Equal(12, versions.Select(v => File.ReadAllText(Path.Combine(v.Directory, "model.zip"))).Distinct().Count());
        Assert.All(versions, v => Assert.Equal(Manifest.Inputs.Count, repository.ReadManifest("iris", v.Version).Inputs.Count));
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(folder, "iris"), ".*"));
    }

    [Fact]
    public async Task A_publish_whose_files_fail_leaves_no_version_and_no_temporary_folder()
    {
        var repository = new ModelRepository(folder);
        await Assert.ThrowsAsync<IOException>(() => repository.PublishAsync("iris", Manifest, (_, _) => throw new IOException("disk full")));
        await Assert.ThrowsAsync<FormatException>(() => repository.PublishAsync("iris", Manifest, (_, _) => Task.CompletedTask));
        Assert.Empty(repository.GetVersions("iris"));
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(folder, "iris")));
    }

    [Fact]
    public void Versions_are_positive_integer_folder_names_only()
    {
        Assert.Equal([1L, 2L, 10L], ModelRepository.ParseVersions(["10", "2", "1", "0", "01", "-3", "x", ".tmp-1", "3a"]));
        Assert.Throws<ArgumentException>(() => new ModelRepository(folder).GetVersions("../up"));
    }

    [Fact]
    public void Manifests_round_trip_and_invalid_ones_list_every_problem()
    {
        ModelManifest manifest = Manifest with { Study = "s", Trial = 3, Value = 0.5, Classes = ["x", "y"] };
        Assert.Equal(manifest.ToJson(), ModelManifest.FromJson(manifest.ToJson()).ToJson());
        Assert.Equal(4, manifest.InstanceSize);

        string bad = "{\"kind\": \"onnx\", \"task\": \"ranking\", \"model_file\": \"../x\", \"inputs\": [{\"name\": \"a\", \"shape\": [0]}, {\"name\": \"a\", \"shape\": []}]}";
        var e = Assert.Throws<FormatException>(() => ModelManifest.FromJson(bad));
        foreach (string part in new[] { "kind must be", "task must be", "model_file", "shape of positive sizes", "input names must be unique" })
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }

        Assert.Throws<FormatException>(() => ModelManifest.FromJson("{\"kind\": "));
        Assert.Throws<FormatException>(() => ModelManifest.FromJson(Encoding.UTF8.GetString("null"u8)));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
