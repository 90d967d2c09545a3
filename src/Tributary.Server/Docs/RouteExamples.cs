using Tributary.Server.Errors;

namespace Tributary.Server.Docs;

/// <summary>A named JSON example; the name tells apart several examples of one body or status.</summary>
public sealed record NamedExample(string Name, string Json);

/// <summary>A query parameter a handler reads itself, so that the generator cannot see it.</summary>
public sealed record QueryParameter(string Name, string Description, string Example, IReadOnlyList<string> Values);

/// <summary>
/// What the OpenAPI document shows for one route: its request bodies, its answers by status, and the errors particular
/// to it (those that every authenticated route shares are derived from endpoint metadata in <see cref="SurfaceExamples"/>).
/// </summary>
public sealed class RouteExamples
{
    public List<NamedExample> Requests { get; } = [];
    public List<(int Status, NamedExample Example)> Responses { get; } = [];
    public List<ApiError> Errors { get; } = [];
    public List<QueryParameter> Query { get; } = [];

    public RouteExamples Request(string json, string name = "example")
    {
        Requests.Add(new NamedExample(name, json));
        return this;
    }

    public RouteExamples Responds(int status, string json, string name = "example")
    {
        Responses.Add((status, new NamedExample(name, json)));
        return this;
    }

    public RouteExamples Fails(params ApiError[] errors)
    {
        Errors.AddRange(errors);
        return this;
    }

    public RouteExamples WithQuery(QueryParameter parameter)
    {
        Query.Add(parameter);
        return this;
    }
}
