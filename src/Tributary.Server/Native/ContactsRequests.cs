using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Core.Contacts;
using Tributary.Server.Errors;

namespace Tributary.Server.Native;

/// <summary>
/// <c>POST /v1/contacts/bulk</c>: 1 to 500 contacts. Each entry is read by Core's <see cref="ContactInput"/>, the one
/// reader of a contact's fields (shared with JSONL imports, whose column names it renames), so that a bad entry is
/// reported by its index and the others are checked too.
/// </summary>
public sealed record BulkContactsRequest([property: JsonPropertyName("contacts")] List<JsonElement>? Contacts)
{
    public static readonly ApiError NotABulk = ApiError.Validation("The body must be {\"contacts\": [ … ]}");

    public ApiError? Validate(out List<ContactInput> inputs)
    {
        inputs = [];
        if (Contacts is null) return NotABulk;
        if (Contacts.Count is 0 or > ContactsEndpoints.MaxBulk)
            return ApiError.Validation($"'contacts' must hold 1 to {ContactsEndpoints.MaxBulk} contacts, not {Contacts.Count}");
        var details = new List<ErrorDetail>();
        for (var i = 0; i < Contacts.Count; i++)
        {
            var input = ContactInput.FromJson(Contacts[i], out var errors);
            if (input.IsEmpty && errors.Count == 0) errors.Add("a contact needs at least one field");
            details.AddRange(errors.Select(e => new ErrorDetail($"contacts[{i}]", e)));
            inputs.Add(input);
        }
        return details.Count > 0 ? ApiError.Validation($"{details.Count} contact(s) are invalid; nothing was saved", details) : null;
    }
}
