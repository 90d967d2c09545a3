using Tributary.Core.Enrichment;
using Tributary.Server.Enrichment;
using Tributary.Server.Errors;
using Tributary.Server.Surfaces.AsyncContacts;
using Tributary.Server.Surfaces.Channels;
using Tributary.Server.Surfaces.LeadBulk;

namespace Tributary.Server.Docs;

/// <summary>
/// The examples of every route of the five surfaces (and the native contact create), keyed by (method, route template),
/// taken from what the server answers; the errors listed here are those particular to each route.
/// </summary>
public static class SurfaceExampleCatalog
{
    public const string RequestId = "req_5d6f32949967459b844565519d908569";

    /// <summary>Values for the route parameters of the sample paths in error bodies (seed 001 echoes the path).</summary>
    public static readonly IReadOnlyDictionary<string, string> RouteValues = new Dictionary<string, string>
    {
        ["id"] = "op_01a209b6-3252-7614-a221-ebd26fb9aa02",
        ["personId"] = "01a209b6-4ebc-7962-9b3d-e747b22c2d5a",
        ["enrichmentId"] = "01a209b6-7065-7eb1-a08b-6064da989fac",
    };

    private static readonly QueryParameter LeadField = new("field", "Which record: emails or phones (type is accepted as an alias).", "emails",
        ["emails", "phones"]);

    private const string PendingEmailRecord =
        """{"id":"01a209b6-4fa9-7758-b3cb-5fe85c5c0389","createdAt":"2026-11-23T18:41:12.613977Z","updatedAt":"2026-11-23T18:41:12.613977Z","entityId":"01a209b6-11c0-79af-b2ee-3c6b02f51877","entityType":"person","field":"emails","status":"pending","error":null,"createdBy":"012fd337-7c1a-4678-9438-7d92876d551d","orgId":"01a209b5-2035-7c37-bb76-d52120eb31dc","globalEnrichmentId":null,"creditTransactionId":null,"dataFound":null,"data":null}""";

    private const string FinishedEmailRecord =
        """{"id":"01a209b6-4fa9-7c27-b174-fb2d27509dc0","createdAt":"2026-11-23T18:41:12.613977Z","updatedAt":"2026-11-23T18:41:12.986656Z","entityId":"01a209b6-4ebc-7962-9b3d-e747b22c2d5a","entityType":"person","field":"emails","status":"finished","error":null,"createdBy":"012fd337-7c1a-4678-9438-7d92876d551d","orgId":"01a209b5-2035-7c37-bb76-d52120eb31dc","globalEnrichmentId":null,"creditTransactionId":"01a209b6-510e-7748-8160-62ccc27f3a02","dataFound":true,"data":{"emails":[{"value":"lily.anderson@westmarkrobotics.com","status":"valid"}]}}""";

    private const string PendingPhoneRecord =
        """{"id":"01a209b6-5c52-7b9e-924f-1f95acb2f873","createdAt":"2026-11-23T18:41:15.847119Z","updatedAt":"2026-11-23T18:41:15.847119Z","entityId":"01a209b6-4ebc-7962-9b3d-e747b22c2d5a","entityType":"person","field":"phones","status":"pending","error":null,"createdBy":"012fd337-7c1a-4678-9438-7d92876d551d","orgId":"01a209b5-2035-7c37-bb76-d52120eb31dc","globalEnrichmentId":null,"creditTransactionId":null,"dataFound":null,"data":null}""";

    private const string FinishedPhoneRecord =
        """{"id":"01a209b6-5027-73f8-adbe-84bf39c31976","createdAt":"2026-11-23T18:41:12.736717Z","updatedAt":"2026-11-23T18:41:12.825027Z","entityId":"01a209b6-11c0-79af-b2ee-3c6b02f51877","entityType":"person","field":"phones","status":"finished","error":null,"createdBy":"012fd337-7c1a-4678-9438-7d92876d551d","orgId":"01a209b5-2035-7c37-bb76-d52120eb31dc","globalEnrichmentId":null,"creditTransactionId":"01a209b6-5d10-7a41-9c2e-4f6b1d0e8a37","dataFound":true,"data":{"phones":[{"value":"+16284881981","status":"found"}]}}""";

    private static readonly string TimedOutEmailRecord =
        $$"""{"id":"01a209b6-6a11-7c40-8e2b-0b7d3f9c1e55","createdAt":"2026-11-23T18:41:12.613977Z","updatedAt":"2026-11-23T18:43:12.613977Z","entityId":"01a209b6-4ebc-7962-9b3d-e747b22c2d5a","entityType":"person","field":"emails","status":"timeout","error":{"code":"TIMEOUT","message":"{{LeadBulkEndpoints.TimeoutMessage}}"},"createdBy":"012fd337-7c1a-4678-9438-7d92876d551d","orgId":"01a209b5-2035-7c37-bb76-d52120eb31dc","globalEnrichmentId":null,"creditTransactionId":null,"dataFound":null,"data":null}""";

    private static readonly RouteExamples OperationPoll = new RouteExamples()
        .Responds(200, """{"id":"op_01a209b6-3252-7614-a221-ebd26fb9aa02","status":"succeeded","progress":100,"result":{"items":[{"identifier":{"linkedin_url":"https://www.linkedin.com/in/jordan-rivera"},"status":"success","data":{"contact":{"email":[{"value":"jordan.rivera@tidewell.io","status":"valid","confidence":0.93,"source":"vendor_a"}],"phone":[{"value":"+15124780192","type":"mobile","country":"US","confidence":0.8,"source":"vendor_a"}]}}},{"identifier":{"email":"nobody@nowhere.example"},"status":"failed","error":{"code":"no_match","message":"No data was found for this identifier"}}]},"error":null}""",
            "batch succeeded")
        .Responds(200, """{"id":"op_01a209b6-3344-7b90-a861-b1d144d81169","status":"succeeded","progress":100,"result":{"data":{"contact":{"email":[{"value":"jordan.rivera@tidewell.io","status":"valid","confidence":0.93,"source":"vendor_a"}]},"signals":{"posts":[{"platform":"x","text":"Tidewell Analytics is hiring AEs in Austin, DM me.","posted_at":"2026-10-28"}]}}},"error":null}""",
            "single succeeded")
        .Responds(200, """{"id":"op_01a209b6-3252-7614-a221-ebd26fb9aa02","status":"processing","progress":40,"result":null,"error":null}""", "processing")
        .Fails(ApiError.NotFound("Operation"));

    private static readonly RouteExamples AsyncContactPoll = new RouteExamples()
        .Responds(200, """{"enrichment_id":"01a209b6-7065-7eb1-a08b-6064da989fac","first_name":"Chloe","last_name":"Walker","status":"finished","email":"chloe.walker@westmarkrobotics.com","email_status":"deliverable","phone":[],"custom":{"crm_id":"A-42"}}""",
            "contact")
        .Responds(200, """{"enrichment_id":"01a209b6-711d-75e9-bde5-36091dd85805","status":"finished","contacts":[{"enrichment_id":"01a209b6-712c-71ff-85e8-124bc972e677","first_name":"Owen","last_name":"Brown","status":"finished","email":"owen.brown@westmarkrobotics.com","email_status":"deliverable","phone":[],"custom":{"crm_id":"A-42"}},{"enrichment_id":"01a209b6-712c-76a8-ae94-7bda2e4c43b0","first_name":"Lily","last_name":"Anderson","status":"finished","email":null,"email_status":"N/A","phone":[],"custom":{"crm_id":"A-43"}}]}""",
            "bulk request")
        .Fails(ApiError.NotFound("Enrichment"));

    private static readonly RouteExamples AsyncBulkEnrich = new RouteExamples()
        .Request("""{"contacts":[{"firstname":"Owen","lastname":"Brown","domain":"westmarkrobotics.com","custom":{"crm_id":"A-42"}},{"firstname":"Lily","lastname":"Anderson","company_name":"Westmark Robotics","custom":{"crm_id":"A-43"}}],"enrichment_type":["email"],"webhook_url":"https://example.com/hooks/tributary"}""")
        .Responds(202, """{"enrichment_id":"01a209b6-711d-75e9-bde5-36091dd85805","status":"queued","contacts":[{"enrichment_id":"01a209b6-712c-71ff-85e8-124bc972e677","custom":{"crm_id":"A-42"}},{"enrichment_id":"01a209b6-712c-76a8-ae94-7bda2e4c43b0","custom":{"crm_id":"A-43"}}]}""")
        .Fails(ApiError.Validation($"contacts must be an array of {AsyncContactsEndpoints.MinBulk} to {AsyncContactsEndpoints.MaxBulk} contacts"),
            AsyncContactsConsentRequired);

    private static readonly RouteExamples AsyncCredits = new RouteExamples().Responds(200, """{"credits":981}""");

    private static readonly RouteExamples AsyncAccount = new RouteExamples()
        .Responds(200, """{"id":"01a209b6-0b7e-7c3a-9d51-2f0e8c7a4b10","name":"crm sync","email":null,"organization":{"id":"01a209b6-0a11-7d42-8e3f-6b5c4d3e2f10","name":"Acme sales"}}""");

    private static readonly RouteExamples SyncSingleEnrich = new RouteExamples()
        .Request("""{"firstname":"Chloe","lastname":"Walker","domain":"westmarkrobotics.com","linkedin_url":"https://www.linkedin.com/in/chloewalker","enrichment_type":["email","phone"],"custom":{"crm_id":"A-42"}}""")
        .Responds(200, """{"enrichment_id":"01a209b6-7065-7eb1-a08b-6064da989fac","first_name":"Chloe","last_name":"Walker","linkedin_profile_url":"https://www.linkedin.com/in/chloewalker","status":"success","email":"chloe.walker@westmarkrobotics.com","email_status":"deliverable","personal_email":null,"personal_email_status":"N/A","phones":["+14155238841"],"phone_status":"deliverable","custom":{"crm_id":"A-42"}}""")
        .Fails(ApiError.Validation("firstname and lastname are required"), AsyncContactsConsentRequired);

    public static readonly IReadOnlyDictionary<(string Method, string Path), RouteExamples> Routes = new Dictionary<(string, string), RouteExamples>
    {
        // Seed 000: contact enrichment.
        [("POST", "/v1/enrich/contact")] = new RouteExamples()
            .Request("""{"contact_id":"123e4567-e89b-12d3-a456-426614174000"}""")
            .Responds(200, """{"data":{"contact":{"id":"123e4567-e89b-12d3-a456-426614174000","first_name":"Jane","last_name":"Doe","full_name":"Jane Doe","email":"jane@acme.com","personal_email":null,"phone":"+12125550100","job_title":"General Counsel","seniority":null,"company_name":"Acme Corp","company_domain":"acme.com","linkedin_url":"https://linkedin.com/in/janedoe","x_handle":null,"github_username":null,"location":"New York, NY, US","tags":[],"custom":{},"field_sources":{"email":{"source":"user","confidence":1,"enriched_at":null,"verified":null},"job_title":{"source":"vendor_a","confidence":0.91,"enriched_at":"2026-11-23T12:00:00Z","verified":null}},"created_at":"2026-10-02T09:15:00Z","updated_at":"2026-11-23T12:00:00Z"},"fields_updated":["job_title","company_name","linkedin_url","location"],"source":"vendor_a","confidence":0.91,"credits_remaining":4871}}""")
            .Fails(ApiError.Validation("contact_id is required and must be a UUID"), ApiError.NotFound("Contact"), ApiError.NoMatch("the contact"),
                EnrichmentHttp.ConsentRequired()),
        [("POST", "/v1/enrich/company")] = new RouteExamples()
            .Request("""{"domain":"westmarkrobotics.com","fields":["industry","size","hq_location"]}""")
            .Responds(200, """{"data":{"company":{"id":"01a209b6-206b-7282-b5db-0fab75921810","name":"Westmark Robotics","domain":"westmarkrobotics.com","industry":"Robotics","size":"201-500","founded_year":2017,"hq_location":"San Francisco, US","description":null,"logo_url":null,"linkedin_url":null,"tech_stack":null},"fields_updated":["industry","size","hq_location"],"source":"vendor_a","confidence":0.9,"credits_remaining":999}}""")
            .Fails(ApiError.Validation("company_id or domain is required"), ApiError.NotFound("Company"), ApiError.NoMatch("the company")),
        [("POST", "/v1/enrich/email")] = new RouteExamples()
            .Request("""{"email":"owen.brown@westmarkrobotics.com","include":["person","company","social"],"verify":true}""")
            .Responds(200, """{"data":{"person":{"full_name":"Owen Brown","first_name":"Owen","last_name":"Brown","job_title":"Senior Implementation Consultant","seniority":"senior","location":"San Francisco, United States","linkedin_url":"https://www.linkedin.com/in/obrown"},"company":{"name":"Westmark Robotics","domain":"westmarkrobotics.com","industry":"Robotics","size":"201-500","founded_year":2017,"hq_location":"San Francisco, US","description":"Westmark Robotics builds autonomous mobile robots for warehouses.","linkedin_url":"https://www.linkedin.com/company/westmark-robotics"},"social":{"linkedin_url":"https://www.linkedin.com/in/obrown","x_handle":null,"github_username":null},"deliverable":true,"source":"vendor_a","confidence":0.9,"credits_remaining":997}}""")
            .Fails(ApiError.Validation("email is required"), ApiError.NoMatch("this email")),

        // Seed 001: enrichments and operations.
        [("POST", "/api/enrichments")] = new RouteExamples()
            .Request("""{"identifier":{"linkedin_url":"https://www.linkedin.com/in/jordan-rivera"},"fields":["contact.email","contact.phone"]}""",
                "single LinkedIn identifier, contact fields (200)")
            .Request("""{"identifiers":[{"linkedin_url":"https://www.linkedin.com/in/jordan-rivera"},{"email":"nobody@nowhere.example"}],"fields":["contact.email","contact.phone"]}""",
                "batch (202)")
            .Request("""{"identifier":{"x_handle":"jordan_sales"},"fields":["contact.email","signals"],"signals_config":{"platforms":["linkedin","x"],"since_days":90}}""",
                "signals (202)")
            .Responds(200, $$$"""{"data":{"contact":{"email":[{"value":"jordan@example.com","status":"valid","confidence":0.93,"source":"vendor_a"}],"phone":[{"value":"+14155550111","type":"mobile","country":"US","confidence":0.8,"source":"vendor_a"}]}},"meta":{"requestId":"{{{RequestId}}}"}}""",
                "synchronous")
            .Responds(202, $$$"""{"id":"op_01a209b6-3252-7614-a221-ebd26fb9aa02","operationId":"op_01a209b6-3252-7614-a221-ebd26fb9aa02","status":"queued","pollUrl":"/api/operations/op_01a209b6-3252-7614-a221-ebd26fb9aa02","meta":{"requestId":"{{{RequestId}}}"}}""",
                "accepted")
            .Fails(ApiError.Validation("Validation failed", [new("identifiers", "use exactly one of identifier or identifiers"),
                new("fields", "is required: a non-empty array of contact.email, contact.phone, signals, work_email, profile")])),
        [("GET", "/api/operations/{id}")] = OperationPoll,
        [("GET", "/api/enrichments/{id}")] = OperationPoll,

        // Seed 002: bulk lead enrichment.
        [("POST", "/api/v1/operations/enrichment/bulk")] = new RouteExamples()
            .Request("""{"selection":{"mode":"manual","includedIds":["01a209b6-11c0-79af-b2ee-3c6b02f51877","01a209b6-4ebc-7962-9b3d-e747b22c2d5a"]},"field":"emails"}""", "manual")
            .Request("""{"selection":{"mode":"bulk","filters":{"company_domain":"westmarkrobotics.com"},"startIndex":0,"targetCount":100,"excludedIds":[]},"field":"emails"}""", "bulk")
            .Responds(200, $"[{PendingEmailRecord},{FinishedEmailRecord}]")
            .Fails(ApiError.Validation("Unknown includedIds: 123e4567-e89b-12d3-a456-426614174000",
                [new("selection.includedIds", "123e4567-e89b-12d3-a456-426614174000 is not a lead of this workspace")])),
        [("POST", "/api/v1/operations/enrichment/batch")] = new RouteExamples()
            .Request("""{"personIds":["01a209b6-11c0-79af-b2ee-3c6b02f51877","01a209b6-4ebc-7962-9b3d-e747b22c2d5a"],"field":"phones"}""")
            .Responds(200, $"[{FinishedPhoneRecord},{PendingPhoneRecord}]")
            .Fails(ApiError.Validation($"personIds must be an array of 1 to {LeadBulkEndpoints.MaxBatch} ids",
                [new("personIds", $"must hold 1 to {LeadBulkEndpoints.MaxBatch} ids")])),
        [("POST", "/api/v1/operations/enrichment/batch/query")] = new RouteExamples()
            .Request("""{"tasks":[{"entityId":"01a209b6-4ebc-7962-9b3d-e747b22c2d5a","field":"emails","entityType":"person"},{"entityId":"01a209b6-11c0-79af-b2ee-3c6b02f51877","field":"phones","entityType":"person"}]}""")
            .Responds(200, $"[{FinishedEmailRecord},{FinishedPhoneRecord}]")
            .Fails(ApiError.Validation($"tasks must be an array of at most {LeadBulkEndpoints.MaxQuery} tasks")),
        [("GET", "/api/v1/operations/enrichment/{personId}")] = new RouteExamples()
            .WithQuery(LeadField)
            .Responds(200, FinishedEmailRecord, "emails found")
            .Responds(200, FinishedPhoneRecord, "phones found")
            .Responds(200, PendingPhoneRecord, "pending")
            .Responds(200, TimedOutEmailRecord, "timed out")
            .Fails(ApiError.Validation("field must be emails or phones", [new("field", "must be emails or phones")]), ApiError.NotFound("Enrichment")),
        [("POST", "/api/v1/operations/enrichment/{personId}")] = new RouteExamples()
            .WithQuery(LeadField with { Example = "phones" })
            .Responds(200, PendingPhoneRecord)
            .Fails(ApiError.Validation("field must be emails or phones", [new("field", "must be emails or phones")]), ApiError.NotFound("Lead")),

        // Seed 003: async contact enrichment.
        [("POST", "/api/v2/contacts/single_enrich")] = new RouteExamples()
            .Request("""{"firstname":"Chloe","lastname":"Walker","domain":"westmarkrobotics.com","enrichment_type":["email"],"webhook_url":"https://example.com/hooks/tributary","custom":{"crm_id":"A-42"}}""")
            .Responds(200, """{"enrichment_id":"01a209b6-7065-7eb1-a08b-6064da989fac","first_name":"Chloe","last_name":"Walker","status":"pending","custom":{"crm_id":"A-42"}}""")
            .Fails(ApiError.Validation("firstname and lastname are required"), AsyncContactsConsentRequired),
        [("POST", "/api/v2/contacts/bulk_enrich")] = AsyncBulkEnrich,
        [("GET", "/api/v2/contacts/{enrichmentId}")] = AsyncContactPoll,
        [("GET", "/api/v2/credits")] = AsyncCredits,
        [("GET", "/api/v2/account")] = AsyncAccount,
        // Its synchronous host: the same API under /v2, where single_enrich answers with the result.
        [("POST", "/v2/contacts/single_enrich")] = SyncSingleEnrich,
        [("POST", "/v2/contacts/sync_single_enrich")] = SyncSingleEnrich,
        [("POST", "/v2/contacts/bulk_enrich")] = AsyncBulkEnrich,
        [("GET", "/v2/contacts/{enrichmentId}")] = AsyncContactPoll,
        [("GET", "/v2/credits")] = AsyncCredits,
        [("GET", "/v2/account")] = AsyncAccount,

        // Seed 004: channel enrichment.
        [("POST", "/enrichment")] = new RouteExamples()
            .Request("""{"email":"chloe.walker@westmarkrobotics.com","linkedin_url":"https://linkedin.com/in/chloewalker","company_domain":"westmarkrobotics.com","channels":["work_email","personal_email","phone","linkedin_url"]}""")
            .Responds(200, """{"record_id":"01a209b6-11c0-79af-b2ee-3c6b02f51877","channels":{"work_email":{"value":"chloe.walker@westmarkrobotics.com","source":"Provider A","confidence":0.94,"enriched_at":"2026-05-26T14:30:00Z","verified":null},"personal_email":null,"phone":null,"linkedin_url":{"value":"https://linkedin.com/in/chloewalker","source":"Provider C","confidence":0.88,"enriched_at":"2026-05-26T14:30:00Z","verified":null}},"credits_used":5}""")
            .Fails(ApiError.Validation(IdentityHintRequired), EnrichmentHttp.ConsentRequired()),
        [("POST", "/enrichment/discover")] = new RouteExamples()
            .Request("""{"first_name":"Chloe","last_name":"Walker","company_domain":"westmarkrobotics.com"}""")
            .Responds(200, """{"record_id":"01a209b6-4ebc-7962-9b3d-e747b22c2d5a","channels":{"work_email":{"value":"chloe.walker@westmarkrobotics.com","source":"pattern","confidence":0.94,"enriched_at":"2026-05-26T14:30:00Z","verified":null},"personal_email":null,"phone":null,"linkedin_url":{"value":"https://linkedin.com/in/chloewalker","source":"Provider C","confidence":0.88,"enriched_at":"2026-05-26T14:30:00Z","verified":null}},"credits_used":2}""")
            .Fails(ApiError.Validation("discover needs first_name, last_name and company_domain"), EnrichmentHttp.ConsentRequired()),
        [("POST", "/enrichment/account")] = new RouteExamples()
            .Request("""{"domain":"westmarkrobotics.com"}""")
            .Responds(200, """{"account_id":"01a209b6-206b-7282-b5db-0fab75921810","domain":"westmarkrobotics.com","fields":{"industry":"Robotics / Hardware","employee_count":240,"revenue_band":"$50M-$100M","founded_year":2018,"hq_country":"UK","hq_city":"Bristol","tech_stack":["Snowflake","Okta","Datadog"],"funding_stage":"Series C","last_funding_date":"2025-09-15","total_raised_usd":87000000,"description":null,"logo_url":null,"company_linkedin_url":"https://www.linkedin.com/company/westmark-robotics"},"credits_used":1}""")
            .Fails(ApiError.Validation("'domain' is required: a company domain such as westmarkrobotics.com")),
        [("POST", "/enrichment/bulk")] = new RouteExamples()
            .Request("""{"records":[{"email":"chloe.walker@westmarkrobotics.com"},{"linkedin_url":"https://www.linkedin.com/in/jordan-rivera"},{"company_name":"Westmark Robotics"}],"channels":["work_email"]}""")
            .Responds(200, $$$"""{"results":[{"record_id":"01a209b6-11c0-79af-b2ee-3c6b02f51877","channels":{"work_email":{"value":"chloe.walker@westmarkrobotics.com","source":"Provider A","confidence":0.94,"enriched_at":"2026-11-23T12:00:00Z","verified":null}},"credits_used":1},{"record_id":null,"channels":{"work_email":null},"credits_used":0},{"error":{"code":"validation_error","message":"{{{IdentityHintRequired}}}"}}],"credits_used":1}""")
            .Fails(ApiError.Validation($"'records' must hold 1 to {ChannelsEndpoints.MaxBulk} records"), EnrichmentHttp.ConsentRequired()),

        // The native API.
        [("POST", "/v1/contacts")] = new RouteExamples()
            .Request("""{"full_name":"Jane Doe","email":"jane@acme.com","phone":"(415) 555-0111","company_domain":"acme.com","tags":["vip"]}""")
            .Responds(201, """{"data":{"id":"123e4567-e89b-12d3-a456-426614174000","first_name":"Jane","last_name":"Doe","full_name":"Jane Doe","email":"jane@acme.com","personal_email":null,"phone":"+14155550111","job_title":null,"seniority":null,"company_name":null,"company_domain":"acme.com","linkedin_url":null,"x_handle":null,"github_username":null,"location":null,"tags":["vip"],"custom":{},"field_sources":{"email":{"source":"user","confidence":1,"enriched_at":null,"verified":null}},"created_at":"2026-11-23T12:00:00Z","updated_at":"2026-11-23T12:00:00Z"}}"""),
        [("POST", "/v1/erasures")] = new RouteExamples()
            .Request("""{"email":"jane@acme.com","suppress":false}""")
            .Responds(200, """{"data":{"erasure_id":"01a209b6-11c0-79af-b2ee-3c6b02f51877","contact_ids":["123e4567-e89b-12d3-a456-426614174000"],"identity_keys":2,"suppressed":false,"erased_at":"2026-11-23T12:00:00Z"}}""")
            .Fails(ApiError.Validation(Native.IdentityRequest.IdentityRequired)),
        [("POST", "/v1/suppressions")] = new RouteExamples()
            .Request("""{"email":"jane@acme.com"}""")
            .Responds(201, """{"data":{"suppressions":[{"id":"01a209b6-4ebc-7962-9b3d-e747b22c2d5a","kind":"email","key_hash":"5f1c0c3e4a0d2b9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e","created_by_key_id":"01a209b6-206b-7282-b5db-0fab75921810","created_at":"2026-11-23T12:00:00Z"}]}}""")
            .Fails(ApiError.Validation(Native.IdentityRequest.IdentityRequired)),
    };

    private const string IdentityHintRequired = EnrichmentRules.IdentityHintRequired;

    private static ApiError AsyncContactsConsentRequired =>
        new(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ConsentRequired, AsyncContactsErrorShape.ConsentMessage);
}
