namespace Tributary.Server.Docs;

/// <summary>A summary, a description and the query parameters of each operation of the API reference.</summary>
public sealed record OperationDocs(string Summary, string Description, IReadOnlyList<(string Name, string Description)> Query)
{
    /// <summary>Example request bodies by media type, for routes that take more than JSON.</summary>
    public IReadOnlyDictionary<string, string> Bodies { get; init; } = new Dictionary<string, string>();

    private static readonly (string, string)[] Paging =
    [
        ("page", "Page number, from 1 (default 1)"), ("per_page", "Items per page, 1 to 100 (default 25)"),
        ("cursor", "The meta.next_cursor of the previous page, for deep paging"),
    ];

    private static readonly (string, string)[] ContactFilters =
    [
        ("search", "Name or email contains"), ("company_domain", "Company domain equals"), ("company_name", "Company name contains"),
        ("job_title", "Job title contains (case-insensitive)"), ("seniority", "Seniority equals"), ("location", "Location contains"),
        ("tag", "Has this tag"), ("has_email", "true or false"), ("has_phone", "true or false"),
        ("created_after", "Created at or after (ISO 8601)"), ("created_before", "Created before (ISO 8601)"),
    ];

    private static OperationDocs Doc(string summary, string description, params (string, string)[] query) => new(summary, description, query);

    private static readonly OperationDocs SyncSingle = Doc("Enrich one contact synchronously",
        "The synchronous host's single_enrich: the same body as /api/v2/contacts/single_enrich, answered with the result within " +
        "the sync deadline; the result also polls at /v2/contacts/{enrichmentId} and is posted to webhook_url when given.");

    private static readonly Dictionary<(string Method, string Path), OperationDocs> Docs = new()
    {
        [("GET", "/healthz")] = Doc("Health", "200 once start-up is done and the database answers; 503 otherwise."),

        [("POST", "/admin/workspaces")] = Doc("Create a workspace", "Creates an empty workspace; give it a key and credits next."),
        [("GET", "/admin/workspaces")] = Doc("List workspaces", "Every workspace, oldest first, with its balance."),
        [("GET", "/admin/workspaces/{id}")] = Doc("Get a workspace", "The workspace with its balance and settings."),
        [("PATCH", "/admin/workspaces/{id}")] = Doc("Change a workspace's settings", "The same body as PATCH /v1/workspace/settings."),
        [("GET", "/admin/workspaces/{id}/keys")] = Doc("List a workspace's keys", "Id, name, permissions, creation, last use, expiry and revocation; never the secret."),
        [("POST", "/admin/workspaces/{id}/keys")] = Doc("Create an API key", "The secret is in this answer only; it cannot be read again."),
        [("DELETE", "/admin/workspaces/{id}/keys/{keyId}")] = Doc("Revoke an API key", "Refused at once here and within a second by every other server process."),
        [("POST", "/admin/workspaces/{id}/credits")] = Doc("Grant or adjust credits", "A positive amount grants; a negative one adjusts down, never below the available balance."),
        [("GET", "/admin/providers")] = Doc("List providers", "Every configured provider: type, channels, whether it verifies emails, its health, and its calls, matches, failures and cost (vendor credits and money) today and over the last 30 days, summed over every server process; never its key."),
        [("POST", "/admin/providers/{name}/check")] = Doc("Check a provider's key", "Asks the vendor's account or credits endpoint whether the key works and what is left; a working key makes the provider healthy at once."),

        [("GET", "/v1/contacts")] = Doc("Search contacts", "Filtered, ordered by creation, paged; an unknown filter is a 400.", [.. ContactFilters, .. Paging]),
        [("POST", "/v1/contacts")] = Doc("Create a contact", "Always creates; values carry the provenance user. A company_domain upserts its company. A suppressed identity is 409 suppressed."),
        [("GET", "/v1/contacts/{id}")] = Doc("Get a contact", "With per-field provenance (field_sources)."),
        [("PATCH", "/v1/contacts/{id}")] = Doc("Update a contact", "Fields given replace; null clears a field; a suppressed identity is 409 suppressed."),
        [("DELETE", "/v1/contacts/{id}")] = Doc("Delete (erase) a contact",
            "Erases the person under every identity key the contact holds, as POST /v1/erasures does; suppress=true also lists the keys.",
            ("suppress", "true to put the contact's identity keys on the suppression list (default false)")),
        [("POST", "/v1/contacts/bulk")] = Doc("Upsert up to 500 contacts", "Matched on email, LinkedIn URL, handles, then name and company domain; fills only empty fields."),
        [("POST", "/v1/contacts/import")] = Doc("Import a CSV or JSONL file",
            "Streamed (never held in memory); upserts like bulk; bad rows are reported with their line number while good rows land.",
            ("format", "csv or jsonl (else the Content-Type, else the first byte)"),
            ("map", "field=Column pairs, comma-separated, for columns whose names say nothing, e.g. email=Work Email")) with
        {
            Bodies = new Dictionary<string, string>
            {
                ["text/csv"] = "email,first_name,last_name,company_domain,tags\nada@analytical.io,Ada,Lovelace,analytical.io,vip;emea\n",
                ["application/x-ndjson"] = "{\"email\":\"ada@analytical.io\",\"first_name\":\"Ada\",\"tags\":[\"vip\"]}\n{\"work_email\":\"sam@westmarkrobotics.com\",\"firstname\":\"Sam\"}\n",
            },
        },
        [("GET", "/v1/companies")] = Doc("List companies", "Ordered by creation, paged.", [("search", "Name or domain contains"), ("domain", "Domain equals"), .. Paging]),
        [("GET", "/v1/companies/{id}")] = Doc("Get a company", "With the company channels and their provenance."),
        [("GET", "/v1/credits")] = Doc("Balance", "Credits available and reserved for work in flight."),
        [("GET", "/v1/credits/ledger")] = Doc("Ledger", "Grants, reservations, charges and releases, newest first.", Paging),
        [("GET", "/v1/workspace")] = Doc("The key's workspace", "Id, name and creation time; any valid key may read it."),
        [("GET", "/v1/workspace/settings")] = Doc("Workspace settings", "Consent, default phone countries, minimum confidence, verification webhook, webhook secret."),
        [("PATCH", "/v1/workspace/settings")] = Doc("Change workspace settings", "Only the fields given change; an unknown field is a 400 naming it."),
        [("GET", "/v1/enrichments/{id}/trace")] = Doc("Trace of an enrichment", "The id is in every enrichment answer's X-Enrichment-Id header."),
        [("POST", "/v1/jobs")] = Doc("Start a job",
            "A CSV or JSONL body (channels, map, force and name in the query) or JSON {records, channels, mapping, name}, or stored " +
            "contacts to enrich in place: JSON {contact_ids: [≤10,000 ids], channels} or {filters: {…the filters of GET /v1/contacts…}, channels}; " +
            "every record is stored and its maximum cost reserved before the 202.",
            ("channels", "Comma-separated channels, e.g. work_email,phone (CSV and JSONL bodies)"),
            ("map", "input=Column pairs, comma-separated, e.g. linkedin_url=LinkedIn; job_title= (no column) reads that input from no column"), ("force", "true to bypass the cache"),
            ("name", "A name to find the job by, e.g. its file name")) with
        {
            Bodies = new Dictionary<string, string>
            {
                ["application/json"] = "{\"records\":[{\"linkedin_url\":\"https://www.linkedin.com/in/chloewalker\"},{\"email\":\"jordan.rivera@tidewell.io\"}],\"channels\":[\"work_email\",\"phone\"],\"name\":\"spring leads\"}",
                ["text/csv"] = "Name,LinkedIn\nChloe Walker,https://www.linkedin.com/in/chloewalker\nJordan Rivera,https://www.linkedin.com/in/jordan-rivera\n",
                ["application/x-ndjson"] = "{\"linkedin_url\":\"https://www.linkedin.com/in/chloewalker\"}\n{\"email\":\"jordan.rivera@tidewell.io\"}\n",
            },
        },
        [("GET", "/v1/jobs")] = Doc("List jobs", "Every job of the workspace, of any surface, newest first.",
            [("status", "queued, processing, succeeded, failed or cancelled"), .. Paging]),
        [("GET", "/v1/jobs/{id}")] = Doc("Get a job", "Status, counts per channel, credits, progress, rate and ETA."),
        [("GET", "/v1/jobs/{id}/results")] = Doc("Stream a job's results",
            "Every record in input order as it stands: JSONL, or CSV keeping the input columns and adding value, source, confidence and verified per channel (and the status of email channels).",
            ("format", "jsonl (default) or csv")),
        [("POST", "/v1/jobs/{id}/download")] = Doc("Make a download link",
            "Body {\"format\": \"csv\"} (default) or {\"format\": \"jsonl\"}: a link to the job's results valid for five minutes, " +
            "signed for the key that asked (refused once that key is revoked), for browsers that cannot send a key with a link."),
        [("GET", "/v1/jobs/{id}/download")] = Doc("Download a job's results",
            "Follows a link from POST /v1/jobs/{id}/download: the results as an attachment named after the job, as GET /v1/jobs/{id}/results " +
            "gives them. The token is the only credential this route reads, and the only one Tributary accepts in a query string.",
            ("token", "The signed token of the link (it expires after at most ten minutes)")),
        [("POST", "/v1/jobs/{id}/cancel")] = Doc("Cancel a job", "Records not started are dropped; unused credits return."),
        [("POST", "/v1/estimate")] = Doc("Estimate a job's cost", "The most a job of that many records and channels can cost, and the balance."),
        [("POST", "/v1/erasures")] = Doc("Erase a person",
            "By email, linkedin_url, x_handle, github_username or first_name + last_name + company_domain, whether or not a stored " +
            "contact: the contacts, cache, job items (redacted, status erased), seed results, traces, webhook messages and stored " +
            "responses go at once; the hashed keys are tombstoned for 24 hours, or listed for good with suppress: true."),
        [("GET", "/v1/erasures")] = Doc("The erasure log", "Each erasure: its contacts, the API key that asked and when; no personal data.", Paging),
        [("GET", "/v1/suppressions")] = Doc("The suppression list", "Each entry's kind of key and its SHA-256 hash (never the value).", Paging),
        [("POST", "/v1/suppressions")] = Doc("Suppress a person",
            "Lists the identity keys of the body (the fields of POST /v1/erasures): never enriched, stored or created again. Stored data is " +
            "left alone; POST /v1/erasures with suppress: true erases and lists."),
        [("DELETE", "/v1/suppressions/{id}")] = Doc("Lift a suppression", "The key may be enriched and stored again."),
        [("GET", "/v1/webhooks/deliveries")] = Doc("Webhook deliveries", "Every delivery attempt, newest first.", Paging),
        [("POST", "/v1/webhooks/deliveries/{id}/redeliver")] = Doc("Redeliver a webhook", "Sends the message again, signed afresh."),

        [("POST", "/v1/enrich/contact")] = Doc("Enrich a stored contact", "Fills the requested fields of contact_id; 1 credit if anything changed, 409 no_match when nothing was found."),
        [("POST", "/v1/enrich/company")] = Doc("Enrich a company", "By company_id or domain; 1 credit if anything changed."),
        [("POST", "/v1/enrich/email")] = Doc("Look up an email", "Person, company and social profiles of an email, optionally verified; stores nothing."),

        [("POST", "/api/enrichments")] = Doc("Enrich identifiers",
            "One LinkedIn identifier asking only for contact fields answers at once (200); anything else becomes an operation (202)."),
        [("GET", "/api/operations/{id}")] = Doc("Poll an operation", "Status, progress and, once it ended, the result."),
        [("GET", "/api/enrichments/{id}")] = Doc("Poll an operation", "The same resource as /api/operations/{id}."),

        [("POST", "/api/v1/operations/enrichment/bulk")] = Doc("Enrich a selection of leads", "Emails or phones for leads chosen by ids or by filters; existing records are returned, not re-run."),
        [("POST", "/api/v1/operations/enrichment/batch")] = Doc("Enrich up to 100 leads", "Like bulk, by person ids."),
        [("POST", "/api/v1/operations/enrichment/batch/query")] = Doc("Read enrichment records", "Up to 200 (entityId, field) tasks; tasks without a record are skipped."),
        [("GET", "/api/v1/operations/enrichment/{personId}")] = Doc("Read a lead's record", "The enrichment record of one lead and field."),
        [("POST", "/api/v1/operations/enrichment/{personId}")] = Doc("Enrich one lead", "Creates or re-runs the record of one lead and field."),

        [("POST", "/api/v2/contacts/single_enrich")] = Doc("Enrich one contact", "Accepted at once (pending); poll the enrichment_id or receive the result on webhook_url."),
        [("POST", "/api/v2/contacts/bulk_enrich")] = Doc("Enrich 2 to 100 contacts", "One webhook per contact as each finishes; the batch id polls every contact's result."),
        [("GET", "/api/v2/contacts/{enrichmentId}")] = Doc("Poll a result", "A contact's result by its enrichment_id, or a bulk request's by the batch id."),
        [("GET", "/api/v2/credits")] = Doc("Credits", "The workspace's balance."),
        [("GET", "/api/v2/account")] = Doc("The key's account", "The key and its workspace (organization); any valid key."),
        [("POST", "/v2/contacts/single_enrich")] = SyncSingle,
        [("POST", "/v2/contacts/sync_single_enrich")] = SyncSingle,
        [("POST", "/v2/contacts/bulk_enrich")] = Doc("Enrich 2 to 100 contacts", "As /api/v2/contacts/bulk_enrich."),
        [("GET", "/v2/contacts/{enrichmentId}")] = Doc("Poll a result", "As /api/v2/contacts/{enrichmentId}."),
        [("GET", "/v2/credits")] = Doc("Credits", "As /api/v2/credits."),
        [("GET", "/v2/account")] = Doc("The key's account", "As /api/v2/account."),

        [("POST", "/enrichment")] = Doc("Enrich a person", "Identity hints in, the requested channels out; cached values are free."),
        [("POST", "/enrichment/discover")] = Doc("Discover a work email", "From a first name, last name and company domain; costs double."),
        [("POST", "/enrichment/account")] = Doc("Enrich an account", "Firmographics of a company domain."),
        [("POST", "/enrichment/bulk")] = Doc("Enrich up to 100 people", "Each record as /enrichment, run concurrently under the same deadline."),
    };

    public static OperationDocs? For(string method, string path)
    {
        if (Docs.TryGetValue((method, path), out var docs)) return docs;
        // Seed 000's routes are also served under the vendor's gateway path.
        const string gateway = "/functions/v1/api-gateway";
        return path.StartsWith(gateway, StringComparison.Ordinal) ? Docs.GetValueOrDefault((method, path[gateway.Length..])) : null;
    }
}
