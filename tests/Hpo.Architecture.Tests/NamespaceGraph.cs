using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Hpo.Architecture.Tests;

/// <summary>A set of namespaces that depend on each other, with one cycle through them written out.</summary>
/// <param name="Namespaces">The namespaces of the strongly connected component, in ordinal order.</param>
/// <param name="Description">"[A, B, ...]: A -> B (T uses U); B -> A (V uses W)".</param>
internal sealed record NamespaceCycle(IReadOnlyList<string> Namespaces, string Description);

/// <summary>
/// The namespace dependency graph of one assembly, read from its metadata: namespace A depends on namespace B when a type
/// declared in A (or a type nested in it, compiler-generated closures and state machines included) refers to a type
/// declared in B of the same assembly, through its base type, interfaces, fields, signatures, custom attributes,
/// generic constraints or the tokens of its method bodies.
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly Dictionary<string, SortedSet<string>> edges = new(StringComparer.Ordinal);

    // (from namespace, to namespace) -> the references behind the edge: "FromType uses ToType".
    private readonly Dictionary<(string From, string To), SortedSet<string>> references = [];

    private NamespaceGraph(string assemblyName) => AssemblyName = assemblyName;

    /// <summary>Gets the simple name of the assembly read.</summary>
    public string AssemblyName { get; }

    /// <summary>Gets the namespaces declared in the assembly (types with no namespace, like Program, are "(global)").</summary>
    public IReadOnlyCollection<string> Namespaces => edges.Keys;

    /// <summary>Gets the namespaces of this assembly that <paramref name="ns"/> refers to (never itself).</summary>
    public IReadOnlyCollection<string> DependenciesOf(string ns) => edges.TryGetValue(ns, out var to) ? to : [];

    /// <summary>Gets the type references behind an edge ("FromType uses ToType", nested types named by their outermost type).</summary>
    public IReadOnlyCollection<string> ReferencesOf(string from, string to) =>
        references.TryGetValue((from, to), out var found) ? found : [];

    private string ExampleOf(string from, string to) => ReferencesOf(from, to).FirstOrDefault() ?? "?";

    /// <summary>Reads the graph of the assembly at <paramref name="path"/>.</summary>
    public static NamespaceGraph Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var graph = new NamespaceGraph(md.GetString(md.GetAssemblyDefinition().Name));
        var reader = new Reader(md, pe, graph);
        foreach (var handle in md.TypeDefinitions)
        {
            var ns = reader.NamespaceOf(handle);
            if (ns is null)
            {
                continue;
            }

            graph.edges.TryAdd(ns, new SortedSet<string>(StringComparer.Ordinal));
        }

        foreach (var handle in md.TypeDefinitions)
        {
            reader.Visit(handle);
        }

        return graph;
    }

    /// <summary>
    /// Finds the strongly connected components of more than one namespace (Tarjan), each returned with one cycle through it
    /// written as "A -> B -> ... -> A", every edge with an example type reference.
    /// </summary>
    public IReadOnlyList<NamespaceCycle> FindCycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var components = new List<List<string>>();
        var next = 0;

        void Connect(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in DependenciesOf(v))
            {
                if (!index.ContainsKey(w))
                {
                    Connect(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    components.Add(component);
                }
            }
        }

        foreach (var ns in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(ns))
            {
                Connect(ns);
            }
        }

        return components
            .Select(c => new NamespaceCycle([.. c.Order(StringComparer.Ordinal)], DescribeCycle(c)))
            .OrderBy(c => c.Namespaces[0], StringComparer.Ordinal)
            .ToList();
    }

    private string DescribeCycle(List<string> component)
    {
        // One shortest cycle through the component's first namespace (in ordinal order), found by breadth-first search.
        var members = new HashSet<string>(component, StringComparer.Ordinal);
        var start = component.Min(StringComparer.Ordinal)!;
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        queue.Enqueue(start);
        string? last = null;
        while (queue.Count > 0 && last is null)
        {
            var v = queue.Dequeue();
            foreach (var w in DependenciesOf(v).Where(members.Contains))
            {
                if (w == start)
                {
                    last = v;
                    break;
                }

                if (parent.TryAdd(w, v))
                {
                    queue.Enqueue(w);
                }
            }
        }

        var path = new List<string> { start };
        for (var v = last!; v != start; v = parent[v])
        {
            path.Insert(1, v);
        }

        path.Add(start);
        var steps = path.Zip(path.Skip(1), (a, b) => $"{a} -> {b} ({ExampleOf(a, b)})");
        return $"[{string.Join(", ", component.Order(StringComparer.Ordinal))}]: {string.Join("; ", steps)}";
    }

    private sealed class Reader(MetadataReader md, PEReader pe, NamespaceGraph graph) : ISignatureTypeProvider<string?, object?>
    {
        private string? currentNamespace;
        private string currentType = "";

        public string? NamespaceOf(TypeDefinitionHandle handle)
        {
            var type = md.GetTypeDefinition(handle);
            while (type.IsNested)
            {
                type = md.GetTypeDefinition(type.GetDeclaringType());
            }

            var name = md.GetString(type.Name);
            // <Module>, <PrivateImplementationDetails> and the compiler's other top-level helpers (<>f__AnonymousType0,
            // <>z__ReadOnlyArray) belong to no namespace of ours.
            if (name.StartsWith('<'))
            {
                return null;
            }

            var ns = md.GetString(type.Namespace);

            // Compiler-generated top-level helpers (embedded attributes, source-generator output) are not ours to order.
            if (ns is "Microsoft.CodeAnalysis" or "System.Runtime.CompilerServices" or "System.Diagnostics.CodeAnalysis"
                || ns.StartsWith("System.Text.RegularExpressions.Generated", StringComparison.Ordinal)
                || ns.StartsWith("Microsoft.Extensions.Logging.Generated", StringComparison.Ordinal))
            {
                return null;
            }

            return ns.Length == 0 ? "(global)" : ns;
        }

        private string NameOf(TypeDefinitionHandle handle)
        {
            var type = md.GetTypeDefinition(handle);
            while (type.IsNested)
            {
                type = md.GetTypeDefinition(type.GetDeclaringType());
            }

            var name = md.GetString(type.Name);

            var ns = md.GetString(type.Namespace);
            return ns.Length == 0 ? name : ns + "." + name;
        }

        public void Visit(TypeDefinitionHandle handle)
        {
            currentNamespace = NamespaceOf(handle);
            if (currentNamespace is null)
            {
                return;
            }

            currentType = NameOf(handle);
            var type = md.GetTypeDefinition(handle);
            Entity(type.BaseType);
            foreach (var i in type.GetInterfaceImplementations())
            {
                Entity(md.GetInterfaceImplementation(i).Interface);
            }

            Attributes(type.GetCustomAttributes());
            GenericParameters(type.GetGenericParameters());
            foreach (var f in type.GetFields())
            {
                var field = md.GetFieldDefinition(f);
                field.DecodeSignature(this, null);
                Attributes(field.GetCustomAttributes());
            }

            foreach (var p in type.GetProperties())
            {
                var property = md.GetPropertyDefinition(p);
                property.DecodeSignature(this, null);
                Attributes(property.GetCustomAttributes());
            }

            foreach (var e in type.GetEvents())
            {
                Entity(md.GetEventDefinition(e).Type);
            }

            foreach (var m in type.GetMethods())
            {
                var method = md.GetMethodDefinition(m);
                method.DecodeSignature(this, null);
                Attributes(method.GetCustomAttributes());
                GenericParameters(method.GetGenericParameters());
                foreach (var p in method.GetParameters())
                {
                    Attributes(md.GetParameter(p).GetCustomAttributes());
                }

                if (method.RelativeVirtualAddress != 0)
                {
                    Body(pe.GetMethodBody(method.RelativeVirtualAddress));
                }
            }
        }

        private void GenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var g in parameters)
            {
                foreach (var c in md.GetGenericParameter(g).GetConstraints())
                {
                    Entity(md.GetGenericParameterConstraint(c).Type);
                }
            }
        }

        private void Attributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var a in attributes)
            {
                var attribute = md.GetCustomAttribute(a);
                Entity(attribute.Constructor);

                // typeof(...) arguments and enum values are in the blob; read its type names where the blob names them.
                // Attribute arguments of our own enum types are rare; the constructor's signature covers them.
            }
        }

        private void Body(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
            {
                md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
            }

            foreach (var region in body.ExceptionRegions)
            {
                Entity(region.CatchType);
            }

            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                var opCode = ReadOpCode(ref il);
                switch (OperandSize(opCode))
                {
                    case -1:
                        // switch: a count, then that many 4-byte targets.
                        var count = il.ReadInt32();
                        il.Offset += count * 4;
                        break;
                    case 4 when HasToken(opCode):
                        var token = il.ReadInt32();
                        if (opCode != ILOpCode.Ldstr)
                        {
                            Entity(MetadataTokens.EntityHandle(token));
                        }

                        break;
                    case var size:
                        il.Offset += size;
                        break;
                }
            }
        }

        private static ILOpCode ReadOpCode(ref BlobReader il)
        {
            var first = il.ReadByte();
            return first == 0xFE ? (ILOpCode)(0xFE00 | il.ReadByte()) : (ILOpCode)first;
        }

        private static bool HasToken(ILOpCode op) => op is ILOpCode.Call or ILOpCode.Callvirt or ILOpCode.Newobj or ILOpCode.Jmp
            or ILOpCode.Ldftn or ILOpCode.Ldvirtftn or ILOpCode.Ldfld or ILOpCode.Ldflda or ILOpCode.Stfld or ILOpCode.Ldsfld
            or ILOpCode.Ldsflda or ILOpCode.Stsfld or ILOpCode.Ldtoken or ILOpCode.Box or ILOpCode.Unbox or ILOpCode.Unbox_any
            or ILOpCode.Castclass or ILOpCode.Isinst or ILOpCode.Newarr or ILOpCode.Ldelema or ILOpCode.Ldelem or ILOpCode.Stelem
            or ILOpCode.Initobj or ILOpCode.Cpobj or ILOpCode.Ldobj or ILOpCode.Stobj or ILOpCode.Sizeof or ILOpCode.Mkrefany
            or ILOpCode.Refanyval or ILOpCode.Constrained or ILOpCode.Calli or ILOpCode.Ldstr;

        private static int OperandSize(ILOpCode op)
        {
            switch (op)
            {
                case ILOpCode.Switch:
                    return -1;
                case ILOpCode.Ldarg_s or ILOpCode.Ldarga_s or ILOpCode.Starg_s or ILOpCode.Ldloc_s or ILOpCode.Ldloca_s
                    or ILOpCode.Stloc_s or ILOpCode.Ldc_i4_s or ILOpCode.Unaligned
                    or ILOpCode.Br_s or ILOpCode.Brfalse_s or ILOpCode.Brtrue_s or ILOpCode.Beq_s or ILOpCode.Bge_s
                    or ILOpCode.Bgt_s or ILOpCode.Ble_s or ILOpCode.Blt_s or ILOpCode.Bne_un_s or ILOpCode.Bge_un_s
                    or ILOpCode.Bgt_un_s or ILOpCode.Ble_un_s or ILOpCode.Blt_un_s or ILOpCode.Leave_s:
                    return 1;
                case ILOpCode.Ldarg or ILOpCode.Ldarga or ILOpCode.Starg or ILOpCode.Ldloc or ILOpCode.Ldloca or ILOpCode.Stloc:
                    return 2;
                case ILOpCode.Ldc_i8 or ILOpCode.Ldc_r8:
                    return 8;
                case ILOpCode.Ldc_i4 or ILOpCode.Ldc_r4 or ILOpCode.Br or ILOpCode.Brfalse or ILOpCode.Brtrue or ILOpCode.Beq
                    or ILOpCode.Bge or ILOpCode.Bgt or ILOpCode.Ble or ILOpCode.Blt or ILOpCode.Bne_un or ILOpCode.Bge_un
                    or ILOpCode.Bgt_un or ILOpCode.Ble_un or ILOpCode.Blt_un or ILOpCode.Leave:
                    return 4;
                default:
                    return HasToken(op) ? 4 : 0;
            }
        }

        private void Entity(EntityHandle handle)
        {
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    Reference((TypeDefinitionHandle)handle);
                    break;
                case HandleKind.TypeSpecification:
                    md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                    break;
                case HandleKind.MethodDefinition:
                    var method = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                    Reference(method.GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    Reference(md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    var member = md.GetMemberReference((MemberReferenceHandle)handle);
                    Entity(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        member.DecodeMethodSignature(this, null);
                    }
                    else
                    {
                        member.DecodeFieldSignature(this, null);
                    }

                    break;
                case HandleKind.MethodSpecification:
                    var spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Entity(spec.Method);
                    spec.DecodeSignature(this, null);
                    break;
                case HandleKind.StandaloneSignature:
                    var signature = md.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    if (signature.GetKind() == StandaloneSignatureKind.Method)
                    {
                        signature.DecodeMethodSignature(this, null);
                    }

                    break;
            }
        }

        private void Reference(TypeDefinitionHandle handle)
        {
            var ns = NamespaceOf(handle);
            if (ns is null || currentNamespace is null || ns == currentNamespace)
            {
                return;
            }

            graph.edges[currentNamespace].Add(ns);
            if (!graph.references.TryGetValue((currentNamespace, ns), out var found))
            {
                graph.references[(currentNamespace, ns)] = found = new SortedSet<string>(StringComparer.Ordinal);
            }

            found.Add($"{currentType} uses {NameOf(handle)}");
        }

        public string? GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            Reference(handle);
            return null;
        }

        public string? GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => null;

        public string? GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
        {
            md.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
            return null;
        }

        public string? GetSZArrayType(string? elementType) => null;

        public string? GetArrayType(string? elementType, ArrayShape shape) => null;

        public string? GetByReferenceType(string? elementType) => null;

        public string? GetPointerType(string? elementType) => null;

        public string? GetPinnedType(string? elementType) => null;

        public string? GetGenericInstantiation(string? genericType, ImmutableArray<string?> typeArguments) => null;

        public string? GetGenericMethodParameter(object? genericContext, int index) => null;

        public string? GetGenericTypeParameter(object? genericContext, int index) => null;

        public string? GetFunctionPointerType(MethodSignature<string?> signature) => null;

        public string? GetModifiedType(string? modifier, string? unmodifiedType, bool isRequired) => null;

        public string? GetPrimitiveType(PrimitiveTypeCode typeCode) => null;
    }
}
