using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tributary.Core.Contacts;
using Tributary.Core.Erasure;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Errors;
using Tributary.Server.Docs;

namespace Tributary.Server.Native;

public static class ContactsEndpoints
{
    public const int MaxBulk = 500;

    public static IEndpointRouteBuilder MapContacts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/contacts").WithTags(ApiTags.Contacts).WithErrorShape(NativeErrorShape.Instance);
        group.MapGet("/", SearchContacts).RequirePermission(Permissions.ReadContacts);
        group.MapGet("/{id}", GetContact).RequirePermission(Permissions.ReadContacts);
        group.MapPost("/", CreateContact).RequirePermission(Permissions.WriteContacts);
        group.MapPatch("/{id}", UpdateContact).RequirePermission(Permissions.WriteContacts);
        group.MapDelete("/{id}", DeleteContact).RequirePermission(Permissions.WriteContacts);
        group.MapPost("/bulk", BulkUpsertContacts).RequirePermission(Permissions.WriteContacts);
        group.MapPost("/import", ContactImportEndpoint.ImportContacts).RequirePermission(Permissions.WriteContacts)
            .WithMetadata(LargeBodyMetadata.Instance);
        return app;
    }

    static async Task<Results<Ok<Listed<ContactList>>, ErrorResult>> SearchContacts(
        HttpContext http, CallerContext caller, TributaryDb db, ContactStore contacts, CancellationToken ct)
    {
        if (ListQuery.TryParse(http.Request.Query, out var page, out var filterValues) is { } bad) return new ErrorResult(bad);
        var filter = ContactFilter.Parse(filterValues, out var error);
        if (error is not null) return new ErrorResult(ApiError.Validation(error));
        var result = await contacts.SearchAsync(db, caller.WorkspaceId, filter, page, ct);
        return TypedResults.Ok(new Listed<ContactList>(new ContactList(result.Items.Select(ContactDto.Of).ToList()), ListMeta.Of(result)));
    }

    static async Task<Results<Ok<Envelope<ContactDto>>, ErrorResult>> GetContact(
        string id, CallerContext caller, TributaryDb db, ContactStore contacts, CancellationToken ct)
    {
        if (Ids.TryParse(id, "contact", out var contactId) is { } bad) return new ErrorResult(bad);
        var contact = await contacts.GetAsync(db, caller.WorkspaceId, contactId, ct);
        return contact is null ? new ErrorResult(ApiError.NotFound("Contact")) : TypedResults.Ok(new Envelope<ContactDto>(ContactDto.Of(contact)));
    }

    static async Task<Results<Created<Envelope<ContactDto>>, ErrorResult>> CreateContact(
        JsonElement body, CallerContext caller, TributaryDb db, ContactStore contacts, CancellationToken ct)
    {
        var input = ContactInput.FromJson(body, out var errors);
        if (errors.Count > 0) return new ErrorResult(ApiError.Validation(string.Join("; ", errors)));
        if (input.IsEmpty) return new ErrorResult(ApiError.Validation("A contact needs at least one field"));
        var workspace = caller.Workspace;
        if (await contacts.CreateAsync(db, caller.WorkspaceId, input, workspace!.PhoneCountries, ct) is not CreateOutcome.Created { Contact: var contact })
            return new ErrorResult(ApiError.Suppressed(SuppressedMessage));
        return TypedResults.Created($"/v1/contacts/{contact.Id}", new Envelope<ContactDto>(ContactDto.Of(contact)));
    }

    static async Task<Results<Ok<Envelope<ContactDto>>, ErrorResult>> UpdateContact(
        string id, JsonElement body, CallerContext caller, TributaryDb db, ContactStore contacts, CancellationToken ct)
    {
        if (Ids.TryParse(id, "contact", out var contactId) is { } bad) return new ErrorResult(bad);
        var input = ContactInput.FromJson(body, out var errors);
        if (errors.Count > 0) return new ErrorResult(ApiError.Validation(string.Join("; ", errors)));
        var workspace = caller.Workspace;
        return await contacts.UpdateAsync(db, caller.WorkspaceId, contactId, input, workspace!.PhoneCountries, ct) switch
        {
            UpdateOutcome.Updated updated => TypedResults.Ok(new Envelope<ContactDto>(ContactDto.Of(updated.Contact))),
            UpdateOutcome.Suppressed => new ErrorResult(ApiError.Suppressed(SuppressedMessage)),
            _ => new ErrorResult(ApiError.NotFound("Contact")),
        };
    }

    public const string SuppressedMessage = "This person is on the workspace's suppression list; nothing was stored";

    /// <summary>Erases the contact (DESIGN §4): every copy of the person under every key it holds; <c>?suppress=true</c> lists them.</summary>
    static async Task<Results<Ok<Envelope<DeletedBody>>, ErrorResult>> DeleteContact(
        string id, HttpContext http, CallerContext caller, ErasureService erasure, CancellationToken ct)
    {
        if (Ids.TryParse(id, "contact", out var contactId) is { } bad) return new ErrorResult(bad);
        var suppress = false;
        foreach (var (name, value) in http.Request.Query)
        {
            if (name != "suppress") return new ErrorResult(ApiError.Validation($"unknown parameter '{name}'"));
            if (!bool.TryParse(value.ToString(), out suppress)) return new ErrorResult(ApiError.Validation("'suppress' must be true or false"));
        }
        return await erasure.EraseContactAsync(caller.WorkspaceId, contactId, suppress, caller.KeyId, ct) is not null
            ? TypedResults.Ok(new Envelope<DeletedBody>(new DeletedBody(true, contactId)))
            : new ErrorResult(ApiError.NotFound("Contact"));
    }

    public sealed record BulkResult(IReadOnlyList<ContactDto> Contacts, int Created, int Updated, int Unchanged);

    static async Task<Results<Ok<Envelope<BulkResult>>, ErrorResult>> BulkUpsertContacts(
        BulkContactsRequest? body, CallerContext caller, TributaryDb db, ContactStore contacts, CancellationToken ct)
    {
        if (body is null) return new ErrorResult(BulkContactsRequest.NotABulk);
        if (body.Validate(out var inputs) is { } invalid) return new ErrorResult(invalid);
        if (await ContactStore.SuppressedAsync(db, caller.WorkspaceId, inputs, ct) is { Count: > 0 } suppressed)
            return new ErrorResult(ApiError.Suppressed($"{suppressed.Count} contact(s) name a person on the workspace's suppression list; nothing was saved") with
            {
                Details = suppressed.Select(i => new ErrorDetail($"contacts[{i}]", "suppressed")).ToList(),
            });
        var workspace = caller.Workspace;
        var outcomes = await contacts.UpsertManyAsync(db, caller.WorkspaceId, inputs, workspace!.PhoneCountries, ct);
        return TypedResults.Ok(new Envelope<BulkResult>(new BulkResult(
            outcomes.Select(o => ContactDto.Of(o.Contact)).ToList(),
            outcomes.Count(o => o.Created),
            outcomes.Count(o => !o.Created && o.ChangedFields.Count > 0),
            outcomes.Count(o => !o.Created && o.ChangedFields.Count == 0))));
    }
}
