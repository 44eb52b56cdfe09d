using Hpo.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hpo.Serving.Engines;

/// <summary>
/// An ML.NET model (<c>MLContext.Model.Save</c>) served without compile-time row types: each predictor feeds its own input row
/// (the model's input schema; the manifest's inputs come from the request, other columns such as the label get default values)
/// through a row-to-row mapper and reads the score.
/// </summary>
internal sealed class MLNetEngine : ModelEngine
{
    private readonly PredictorPool<Predictor> pool;

    private MLNetEngine(ModelManifest manifest, int outputSize, PredictorPool<Predictor> pool)
        : base(manifest, outputSize) => this.pool = pool;

    public static MLNetEngine Load(string folder, ModelManifest manifest, int poolSize)
    {
        var ml = new MLContext(seed: 0);
        ITransformer model;
        DataViewSchema inputSchema;
        using (FileStream stream = File.OpenRead(Path.Combine(folder, manifest.ModelFile)))
        {
            model = ml.Model.Load(stream, out inputSchema);
        }

        var layout = InputLayout.Create(inputSchema, manifest);
        DataViewSchema output = model.GetOutputSchema(inputSchema);
        DataViewSchema.Column score = output.GetColumnOrNull("Score") ?? throw new FormatException("The ML.NET model has no 'Score' column.");
        bool binary = output.GetColumnOrNull("Probability") is not null;
        int outputSize = binary ? 2 : score.Type is VectorDataViewType v ? v.Size : 1;
        if (outputSize < 1)
        {
            throw new FormatException("The ML.NET model's 'Score' column has no fixed size.");
        }

        if (manifest.Task == ModelManifest.RegressionTask && outputSize != 1)
        {
            throw new FormatException($"The manifest says regression, but the model's score has {outputSize} values.");
        }

        var poolInstance = new PredictorPool<Predictor>(() => new Predictor(model, inputSchema, layout, binary), poolSize);
        return new MLNetEngine(manifest, outputSize, poolInstance);
    }

    public override void Predict(ReadOnlySpan<float> instances, int count, Span<float> predictions)
    {
        Predictor predictor = pool.Rent();
        try
        {
            predictor.Predict(instances, count, InstanceSize, predictions, OutputSize);
        }
        finally
        {
            pool.Return(predictor);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pool.Dispose();
        }
    }

    /// <summary>Where each input column's values sit in an instance: an offset and a size (0 for a column that gets its default).</summary>
    private sealed record InputLayout(int[] Offsets, int[] Sizes)
    {
        public static InputLayout Create(DataViewSchema schema, ModelManifest manifest)
        {
            int[] offsets = new int[schema.Count];
            int[] sizes = new int[schema.Count];
            var positions = new Dictionary<string, (int Offset, int Size)>(StringComparer.Ordinal);
            int offset = 0;
            foreach (ModelInput input in manifest.Inputs)
            {
                positions[input.Name] = (offset, input.Size);
                offset += input.Size;
            }

            foreach (ModelInput input in manifest.Inputs)
            {
                DataViewSchema.Column column = schema.GetColumnOrNull(input.Name)
                    ?? throw new FormatException($"The manifest's input '{input.Name}' is not a column of the model's input schema ({string.Join(", ", schema.Select(c => c.Name))}).");
                bool fits = column.Type switch
                {
                    NumberDataViewType t => t.RawType == typeof(float) && input.Size == 1 && input.Shape.Count == 0,
                    VectorDataViewType { ItemType.RawType: Type r } v => r == typeof(float) && v.Size == input.Size,
                    _ => false,
                };
                if (!fits)
                {
                    throw new FormatException($"The manifest's input '{input.Name}' (float32 [{string.Join(", ", input.Shape)}]) does not match the model's column of type {column.Type}.");
                }

                offsets[column.Index] = positions[input.Name].Offset;
                sizes[column.Index] = positions[input.Name].Size;
            }

            return new InputLayout(offsets, sizes);
        }
    }

    /// <summary>One non-thread-safe predictor: its input row, the mapper's output row and the score getter.</summary>
    private sealed class Predictor
    {
        private readonly InputRow input;
        private readonly ValueGetter<VBuffer<float>>? vectorScore;
        private readonly ValueGetter<float>? scalarScore;
        private readonly bool binary;
        private VBuffer<float> buffer;

        public Predictor(ITransformer model, DataViewSchema schema, InputLayout layout, bool binary)
        {
            this.binary = binary;
            input = new InputRow(schema, layout);
            IRowToRowMapper mapper = model.GetRowToRowMapper(schema);
            DataViewSchema.Column score = binary ? mapper.OutputSchema["Probability"] : mapper.OutputSchema["Score"];
            DataViewRow row = mapper.GetRow(input, [score]);
            if (score.Type is VectorDataViewType)
            {
                vectorScore = row.GetGetter<VBuffer<float>>(score);
            }
            else
            {
                scalarScore = row.GetGetter<float>(score);
            }
        }

        public void Predict(ReadOnlySpan<float> instances, int count, int instanceSize, Span<float> predictions, int outputSize)
        {
            float[] values = input.Values;
            for (int i = 0; i < count; i++)
            {
                instances.Slice(i * instanceSize, instanceSize).CopyTo(values);
                input.Next();
                Span<float> target = predictions.Slice(i * outputSize, outputSize);
                if (vectorScore is not null)
                {
                    vectorScore(ref buffer);
                    buffer.CopyTo(target);
                }
                else
                {
                    float value = 0;
                    scalarScore!(ref value);
                    if (binary)
                    {
                        target[0] = 1 - value;
                        target[1] = value;
                    }
                    else
                    {
                        target[0] = value;
                    }
                }
            }
        }
    }

    /// <summary>A row of the model's input schema whose values come from the current instance; columns not in the manifest give defaults.</summary>
    private sealed class InputRow : DataViewRow
    {
        private readonly InputLayout layout;
        private readonly Delegate[] getters;
        private long position = -1;

        public InputRow(DataViewSchema schema, InputLayout layout)
        {
            Schema = schema;
            this.layout = layout;
            Values = new float[Math.Max(1, layout.Sizes.Sum())];
            getters = new Delegate[schema.Count];
            foreach (DataViewSchema.Column column in schema)
            {
                int offset = layout.Offsets[column.Index];
                int size = layout.Sizes[column.Index];
                if (size == 0)
                {
                    getters[column.Index] = DefaultGetter(column.Type.RawType);
                }
                else if (column.Type is VectorDataViewType)
                {
                    getters[column.Index] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                    {
                        var editor = VBufferEditor.Create(ref value, size);
                        Values.AsSpan(offset, size).CopyTo(editor.Values);
                        value = editor.Commit();
                    });
                }
                else
                {
                    getters[column.Index] = (ValueGetter<float>)((ref float value) => value = Values[offset]);
                }
            }
        }

        public float[] Values { get; }

        public override long Position => position;

        public override long Batch => 0;

        public override DataViewSchema Schema { get; }

        public void Next() => position++;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            getters[column.Index] as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type.RawType}, not {typeof(TValue)}.");

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = new DataViewRowId((ulong)position, 0);

        private static Delegate DefaultGetter(Type type) =>
            (Delegate)typeof(InputRow).GetMethod(nameof(Default), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(type).Invoke(null, null)!;

        private static ValueGetter<T> Default<T>() => (ref T value) => value = default!;
    }
}
