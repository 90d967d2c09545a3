using System.Text.Json.Serialization;
using Tributary.Core.Contacts;
using Tributary.Core.Enrichment;

namespace Tributary.Core.Common;

/// <summary>
/// Source-generated JSON for what every enrichment writes or reads: the trace and a record's field sources. With the
/// reflection serializer they were a quarter of a cached answer's work outside the database (perf).
/// </summary>
[JsonSerializable(typeof(TraceDocument))]
[JsonSerializable(typeof(Dictionary<string, FieldSource>))]
internal sealed partial class CoreJson : JsonSerializerContext;
