using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tributary.Server.Docs;

/// <summary>
/// Request and response examples of each surface in the OpenAPI document, taken from the requests their clients send,
/// so /docs shows how to call each one.
/// </summary>
public sealed class SurfaceExamples : IOpenApiOperationTransformer
{
    private static readonly Dictionary<(string Method, string Path), (string Request, string Status, string Response)> Examples = new()
    {
        [("POST", "/v1/enrich/contact")] = ("""{"contact_id":"123e4567-e89b-12d3-a456-426614174000"}""", "200",
            """{"data":{"contact":{"id":"123e4567-e89b-12d3-a456-426614174000","full_name":"Jane Doe","email":"jane@acme.com","job_title":"General Counsel","company_name":"Acme Corp","linkedin_url":"https://linkedin.com/in/janedoe","phone":"+1-555-0100","location":"New York, NY, US"},"fields_updated":["job_title","company_name","linkedin_url","location"],"source":"vendor_a","confidence":0.91,"credits_remaining":4871}}"""),
        [("POST", "/v1/enrich/company")] = ("""{"domain":"westmarkrobotics.com","fields":["industry","size","hq_location"]}""", "200",
            """{"data":{"company":{"id":"…","name":"Westmark Robotics","domain":"westmarkrobotics.com","industry":"Robotics","size":"201-500","hq_location":"San Francisco, US"},"fields_updated":["industry","size","hq_location"],"source":"demo","confidence":0.9,"credits_remaining":999}}"""),
        [("POST", "/v1/enrich/email")] = ("""{"email":"chloe.walker@westmarkrobotics.com","include":["person","social"],"verify":false}""", "200",
            """{"data":{"person":{"full_name":"Chloe Walker","first_name":"Chloe","last_name":"Walker","job_title":"VP of Engineering","seniority":"vp","location":"San Francisco, United States","linkedin_url":"https://www.linkedin.com/in/chloewalker"},"social":{"linkedin_url":"https://www.linkedin.com/in/chloewalker","x_handle":null,"github_username":"chloe-walker"},"deliverable":null,"source":"demo","confidence":0.9,"credits_remaining":999}}"""),
        [("POST", "/api/enrichments")] = ("""{"identifier":{"linkedin_url":"https://www.linkedin.com/in/jordan-rivera"},"fields":["contact.email","contact.phone"]}""", "200",
            """{"data":{"contact":{"email":[{"value":"jordan@example.com","status":"valid","confidence":0.93,"source":"vendor_a"}],"phone":[{"value":"+14155550111","type":"mobile","country":"US","confidence":0.8,"source":"vendor_a"}]}},"meta":{"requestId":"req_…"}}"""),
        [("POST", "/api/v1/operations/enrichment/bulk")] = ("""{"selection":{"mode":"bulk","filters":{"company_domain":"acme.com"},"startIndex":0,"targetCount":100,"excludedIds":[]},"field":"emails"}""", "200",
            """[{"id":"…","createdAt":"2026-11-23T12:00:00Z","updatedAt":"2026-11-23T12:00:00Z","entityId":"…","entityType":"person","field":"emails","status":"pending","error":null,"createdBy":"…","orgId":"…","globalEnrichmentId":null,"creditTransactionId":null,"dataFound":null,"data":null}]"""),
        [("POST", "/api/v2/contacts/single_enrich")] = ("""{"firstname":"Chloe","lastname":"Walker","domain":"westmarkrobotics.com","enrichment_type":["email"],"webhook_url":"https://example.com/hooks/tributary","custom":{"crm_id":"A-42"}}""", "200",
            """{"enrichment_id":"…","first_name":"Chloe","last_name":"Walker","status":"pending","custom":{"crm_id":"A-42"}}"""),
        [("POST", "/enrichment")] = ("""{"email":"person@company.com","linkedin_url":"https://linkedin.com/in/…","company_domain":"company.com","channels":["work_email","personal_email","phone","linkedin_url"]}""", "200",
            """{"record_id":"…","channels":{"work_email":{"value":"chloe.walker@westmarkrobotics.com","source":"Provider A","confidence":0.94,"enriched_at":"2026-05-26T14:30:00Z","verified":null},"phone":null,"linkedin_url":{"value":"https://linkedin.com/in/chloewalker","source":"Provider C","confidence":0.88,"enriched_at":"2026-05-26T14:30:00Z","verified":null}},"credits_used":5}"""),
        [("POST", "/enrichment/discover")] = ("""{"first_name":"Chloe","last_name":"Walker","company_domain":"westmarkrobotics.com"}""", "200",
            """{"record_id":"…","channels":{"work_email":{"value":"chloe.walker@westmarkrobotics.com","source":"pattern","confidence":0.94,"enriched_at":"2026-05-26T14:30:00Z","verified":null}},"credits_used":2}"""),
        [("POST", "/enrichment/account")] = ("""{"domain":"westmarkrobotics.com"}""", "200",
            """{"account_id":"…","domain":"westmarkrobotics.com","fields":{"industry":"Robotics / Hardware","employee_count":240,"revenue_band":"$50M-$100M","founded_year":2018,"hq_country":"UK","hq_city":"Bristol","tech_stack":["Snowflake","Okta","Datadog"],"funding_stage":"Series C","last_funding_date":"2025-09-15","total_raised_usd":87000000},"credits_used":1}"""),
        [("POST", "/enrichment/bulk")] = ("""{"records":[{"email":"chloe.walker@westmarkrobotics.com"},{"linkedin_url":"https://www.linkedin.com/in/jordan-rivera"}],"channels":["work_email"]}""", "200",
            """{"results":[{"record_id":"…","channels":{"work_email":{"value":"chloe.walker@westmarkrobotics.com","source":"demo","confidence":0.9,"enriched_at":"2026-11-23T12:00:00Z","verified":null}},"credits_used":0}],"credits_used":0}"""),
        [("POST", "/v1/contacts")] = ("""{"full_name":"Jane Doe","email":"jane@acme.com","phone":"(415) 555-0111","company_domain":"acme.com","tags":["vip"]}""", "201",
            """{"data":{"id":"…","first_name":"Jane","last_name":"Doe","full_name":"Jane Doe","email":"jane@acme.com","phone":"+14155550111","company_domain":"acme.com","tags":["vip"],"field_sources":{"email":{"source":"user","confidence":1,"enriched_at":null,"verified":null}}}}"""),
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var key = (context.Description.HttpMethod ?? "", "/" + context.Description.RelativePath?.TrimEnd('/'));
        if (!Examples.TryGetValue(key, out var example)) return Task.CompletedTask;
        var request = new OpenApiMediaType { Example = JsonNode.Parse(example.Request) };
        if (operation.RequestBody is OpenApiRequestBody body)
            body.Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = request };
        else
            operation.RequestBody = new OpenApiRequestBody { Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = request } };
        operation.Responses ??= new OpenApiResponses();
        operation.Responses[example.Status] = new OpenApiResponse
        {
            Description = "Example",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Example = JsonNode.Parse(example.Response) } },
        };
        return Task.CompletedTask;
    }
}
