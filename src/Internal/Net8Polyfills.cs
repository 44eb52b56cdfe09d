// Compiled into every project's net8.0 build (see Directory.Build.props): what the code uses from .NET 9 and later, for .NET 8.
// Nothing here changes behaviour on net10.0, where this file compiles to nothing.
#if !NET9_0_OR_GREATER
// System.Threading.Lock (.NET 9) is a faster monitor; on .NET 8 the lock statement takes a plain object's monitor instead. An
// alias, not a type: it is local to each compilation, so assemblies that see each other's internals never meet two Lock types.
global using Lock = System.Object;
#endif
