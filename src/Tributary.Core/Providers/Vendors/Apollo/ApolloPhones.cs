using System.Text.Json;

namespace Tributary.Core.Providers.Vendors.Apollo;

/// <summary>
/// What Apollo POSTs to the <c>webhook_url</c> of a match asked with <c>reveal_phone_number</c>. Apollo's reference says
/// only that the numbers arrive later, unsigned and possibly more than once; the payload shape is not settled by the
/// docs we could read, so every plausible variant is read: a <c>people</c> (or <c>matches</c>, <c>contacts</c>) array of
/// people, one <c>person</c> (or <c>contact</c>), either of them under <c>data</c>, a bare array of people, or a bare
/// person. A person is named by <c>id</c> (or <c>person_id</c>, a string or a number) and carries
/// <c>phone_numbers[]</c> of <c>{raw_number, sanitized_number, type | type_cd, status | status_cd, …}</c>.
/// </summary>
public static class ApolloPhones
{
    /// <summary>Each person of the payload, by Apollo person id, as raw JSON.</summary>
    public static IReadOnlyList<(string PersonId, string PersonJson)> People(JsonElement payload)
    {
        var found = new List<(string, string)>();
        Collect(payload, found, depth: 0);
        return found.DistinctBy(p => p.Item1).ToList();
    }

    private static void Collect(JsonElement node, List<(string, string)> found, int depth)
    {
        if (depth > 3) return;
        if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray()) Collect(item, found, depth + 1);
            return;
        }
        if (node.ValueKind != JsonValueKind.Object) return;
        if (PersonId(node) is { } id && (node.TryGetProperty("phone_numbers", out _) || depth > 0))
        {
            found.Add((id, node.GetRawText()));
            return;
        }
        foreach (var name in new[] { "people", "matches", "contacts", "person", "contact", "data" })
            if (node.TryGetProperty(name, out var inner))
                Collect(inner, found, depth + 1);
    }

    public static string? PersonId(JsonElement person) => VendorJson.Str(person, "id") ?? VendorJson.Str(person, "person_id");

    /// <summary>
    /// The number to deliver: a mobile first (what Apollo bills +8 for), else the first other number; numbers whose
    /// status says they are invalid are left out. E.164 <c>sanitized_number</c> is preferred to <c>raw_number</c>.
    /// </summary>
    public static (string Number, bool Mobile)? Best(JsonElement person)
    {
        if (VendorJson.Get(person, "phone_numbers") is not { ValueKind: JsonValueKind.Array } numbers) return null;
        var usable = numbers.EnumerateArray()
            .Where(n => n.ValueKind == JsonValueKind.Object)
            .Select(n => (Number: VendorJson.Str(n, "sanitized_number") ?? VendorJson.Str(n, "raw_number") ?? VendorJson.Str(n, "number"),
                Type: (VendorJson.Str(n, "type") ?? VendorJson.Str(n, "type_cd") ?? "").ToLowerInvariant(),
                Status: (VendorJson.Str(n, "status") ?? VendorJson.Str(n, "status_cd") ?? "").ToLowerInvariant()))
            .Where(n => n.Number is not null && !n.Status.Contains("invalid"))
            .ToList();
        if (usable.Count == 0) return null;
        var best = usable.FirstOrDefault(n => n.Type.Contains("mobile"));
        return best.Number is not null ? (best.Number, true) : (usable[0].Number!, false);
    }
}
