using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tributary.Tests.Vendors;

/// <summary>One request a fake vendor received, as it arrived.</summary>
public sealed record VendorRequest(
    string Vendor, string Method, string Path, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers,
    JsonNode? Body, long? ContentLength, bool Chunked)
{
    /// <summary>When it arrived (<see cref="System.Diagnostics.Stopwatch"/> ticks of the test process), before its body was read.</summary>
    public long ReceivedAt { get; init; }

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
    public string? Q(string name) => Query.TryGetValue(name, out var v) ? v : null;
    public string? B(params string[] path)
    {
        JsonNode? node = Body;
        foreach (var p in path) node = node is JsonObject o ? o[p] : null;
        return node is JsonValue v ? v.ToString() : node?.ToJsonString();
    }
}

/// <summary>
/// Every vendor of VENDORS.md on one loopback port, answering as each one documents. What a finder answers depends on the
/// person's last name (the scenario: found, catchall, nomatch, credits, ratelimit, broken, err200, …), what a verifier
/// answers on the email's local part after its last dot; a test may set another scenario for one vendor. A key other than
/// <see cref="GoodKey"/> gets the vendor's bad-key answer.
/// </summary>
public sealed class VendorFakes : IAsyncDisposable
{
    public const string GoodKey = "live-key-7f3a9c2e";

    /// <summary>
    /// A refused key that gets the vendor's other bad-key answer where VENDORS.md leaves the status unconfirmed (Icypeas,
    /// Dropcontact and Findymail: 403, not 401; Reacher: a 400 in plain text; Prospeo: a 400 with the older API's code in message).
    /// </summary>
    public const string OtherBadKey = "bad-key-other-form";
    public const string Domain = "acme.test";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<VendorRequest> _requests = new();
    private readonly ConcurrentDictionary<string, int> _reads = new();
    private readonly ConcurrentDictionary<(string Vendor, string Subject), string> _scenarios = new();
    private readonly ConcurrentDictionary<string, decimal> _billed = new();

    public VendorFakes()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        Route("hunter", "GET", "/v2/email-finder", HunterFinder);
        Route("hunter", "GET", "/v2/email-verifier", HunterVerifier);
        Route("apollo", "POST", "/api/v1/people/match", Apollo);
        Route("pdl", "POST", "/v5/person/enrich", Pdl);
        Route("pdl", "POST", "/v5/person/bulk", PdlBulk);
        Route("apollo", "POST", "/api/v1/people/bulk_match", ApolloBulk);
        Route("prospeo", "POST", "/bulk-enrich-person", ProspeoBulk);
        Route("prospeo", "POST", "/enrich-person", Prospeo);
        Route("leadmagic", "POST", "/v1/people/email-finder", LeadMagicFinder);
        Route("leadmagic", "POST", "/v1/people/email-validation", LeadMagicVerifier);
        Route("findymail", "POST", "/api/search/name", FindymailFinder);
        Route("findymail", "POST", "/api/verify", FindymailVerifier);
        Route("icypeas", "POST", "/api/email-search", r => IcypeasSubmit(r, r.B("lastname") ?? ""));
        Route("icypeas", "POST", "/api/email-verification", r => IcypeasSubmit(r, VerifierScenario("icypeas", r.B("email"))));
        Route("icypeas", "POST", "/api/bulk-single-searchs/read", IcypeasRead);
        Route("dropcontact", "POST", "/v1/enrich/all", DropcontactSubmit);
        Route("dropcontact", "GET", "/v1/enrich/all/{id}", DropcontactPoll);
        Route("zerobounce", "GET", "/v2/validate", ZeroBounce);
        Route("neverbounce", "GET", "/v4/single/check", NeverBounce);
        Route("millionverifier", "GET", "/api/v3/", MillionVerifier);
        Route("reacher", "POST", "/v0/check_email", Reacher);
        // Account and credits endpoints.
        Route("hunter", "GET", "/v2/account", r => HunterKey(r)
            ? Json(new { data = new { plan_name = "Starter", plan_level = 1, reset_date = "2026-12-31", team_id = 7,
                requests = new { searches = new { used = 50, available = 500 }, verifications = new { used = 5, available = 100 }, credits = new { used = 55, available = 600 } } } })
            : HunterErrors(401, "authentication_failed", "No user found for the API key supplied"));
        Route("apollo", "GET", "/v1/auth/health", r => r.Header("x-api-key") == GoodKey
            ? Json(new { healthy = true, is_logged_in = true })
            : Json(new { error = "Invalid access credentials." }, 401));
        Route("prospeo", "GET", "/account-information", r => r.Header("x-key") == GoodKey
            ? Json(new { error = false, response = new { current_plan = "STARTER", remaining_credits = 1200, used_credits = 300, next_quota_renewal_days = 12, next_quota_renewal_date = "2026-12-13" } })
            : Json(new { error = true, error_code = "INVALID_API_KEY" }, 401));
        Route("leadmagic", "GET", "/v1/credits", r => string.Equals(r.Header("x-api-key"), GoodKey)
            ? Json(new { credits = 7333.8 }) : Problem(401, "Unauthorized", "Invalid API key"));
        Route("findymail", "GET", "/api/credits", r => r.Header("authorization") == "Bearer " + GoodKey
            ? Json(new { credits = 250, verifier_credits = 40 }) : Json(new { message = "Unauthenticated." }, 401));
        Route("zerobounce", "GET", "/v2/getcredits", r => Json(new Dictionary<string, string> { ["Credits"] = r.Q("api_key") == GoodKey ? "1234" : "-1" }));
        Route("neverbounce", "GET", "/v4/account/info", r => r.Q("key") == GoodKey
            ? Json(new { status = "success", billing_type = "default", credits_info = new { paid_credits_used = 10, free_credits_used = 0, paid_credits_remaining = 990, free_credits_remaining = 10 }, job_counts = new { completed = 0, under_review = 0, queued = 0, processing = 0 } })
            : Json(new { status = "auth_failure", message = $"Invalid API key '{r.Q("key")}'" }));
        Route("millionverifier", "GET", "/api/v3/credits", r => r.Q("api") == GoodKey
            ? Json(new { credits = 5000, bulk_credits = 0, renewing_credits = 0, plan = "pay-as-you-go" })
            : Json(new { error = "Apikey not found" }));
        _app.StartAsync().GetAwaiter().GetResult();
        BaseUrl = _app.Urls.First();
    }

    public string BaseUrl { get; }
    public IReadOnlyList<VendorRequest> Requests => _requests.ToList();
    public int Count(string vendor) => _requests.Count(r => r.Vendor == vendor);
    public int Count(string vendor, string path) => _requests.Count(r => r.Vendor == vendor && r.Path == path);
    public VendorRequest Last(string vendor) => _requests.Last(r => r.Vendor == vendor);

    /// <summary>The vendor's own credits spent so far, as its billing line in VENDORS.md counts them (for the vendors billed here).</summary>
    public decimal Billed(string vendor) => _billed.GetValueOrDefault(vendor);

    /// <summary>
    /// Records asked of a finder or addresses of a verifier, as the vendor counts lookups: one per record of a bulk call,
    /// one per ticket or request however often it is read, nothing for account calls (for the vendors of the usage tests).
    /// </summary>
    public long Lookups(string vendor) => _lookups.GetValueOrDefault(vendor);

    /// <summary>Records a finder answered with a person (for the vendors of the usage tests).</summary>
    public long Matches(string vendor) => _matches.GetValueOrDefault(vendor);

    private readonly ConcurrentDictionary<string, long> _lookups = new();
    private readonly ConcurrentDictionary<string, long> _matches = new();

    private IResult Bill(string vendor, decimal credits, IResult answer)
    {
        _billed.AddOrUpdate(vendor, credits, (_, spent) => spent + credits);
        return answer;
    }

    private void Asked(string vendor, int records = 1) => _lookups.AddOrUpdate(vendor, records, (_, n) => n + records);
    private void Matched(string vendor, int records = 1) => _matches.AddOrUpdate(vendor, records, (_, n) => n + records);

    /// <summary>Makes <paramref name="vendor"/> answer <paramref name="scenario"/> for a last name or an email.</summary>
    public void Answer(string vendor, string subject, string scenario) => _scenarios[(vendor, subject.ToLowerInvariant())] = scenario;

    public static string EmailOf(string scenario) => $"ada.{scenario}@{Domain}";

    private string FinderScenario(string vendor, string? lastName)
    {
        var key = (lastName ?? "").Trim().ToLowerInvariant();
        return _scenarios.TryGetValue((vendor, key), out var s) ? s : key;
    }

    private string VerifierScenario(string vendor, string? email)
    {
        var e = (email ?? "").Trim().ToLowerInvariant();
        if (_scenarios.TryGetValue((vendor, e), out var s)) return s;
        var local = e.Split('@')[0];
        return local[(local.LastIndexOf('.') + 1)..];
    }

    private void Route(string vendor, string method, string pattern, Func<VendorRequest, IResult> answer) =>
        _app.MapMethods(pattern, [method], async (HttpContext http) =>
        {
            var receivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            JsonNode? body = null;
            if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
            {
                try { body = await JsonNode.ParseAsync(http.Request.Body); }
                catch (JsonException) { return Results.Json(new { error = "body is not JSON" }, statusCode: 400); }
            }
            var request = new VendorRequest(vendor, method, http.Request.Path.Value!,
                http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
                http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                body, http.Request.ContentLength, http.Request.Headers.TransferEncoding.ToString().Contains("chunked")) { ReceivedAt = receivedAt };
            _requests.Enqueue(request);
            return answer(request);
        });

    private static IResult Json(object body, int status = 200) => Results.Json(body, statusCode: status);
    private static IResult Problem(int status, string title, string detail) =>
        Results.Json(new { type = "about:blank", title, status, detail }, statusCode: status, contentType: "application/problem+json");

    // hunter: key in X-API-KEY (or query api_key, or Bearer); 403 = rate limit, 429 = usage limit reached.
    private static bool HunterKey(VendorRequest r) =>
        r.Header("x-api-key") == GoodKey || r.Q("api_key") == GoodKey || r.Header("authorization") == "Bearer " + GoodKey;

    private static IResult HunterErrors(int status, string id, string details) => Json(new { errors = new[] { new { id, code = status, details } } }, status);

    private IResult HunterFinder(VendorRequest r)
    {
        if (!HunterKey(r)) return HunterErrors(401, "authentication_failed", "No user found for the API key supplied");
        if (r.Q("domain") is null && r.Q("company") is null) return HunterErrors(400, "wrong_params", "You are missing the domain parameter");
        var scenario = FinderScenario("hunter", r.Q("last_name") ?? r.Q("full_name")?.Split(' ').Last());
        object Data(string? email, int? score, string? status, bool acceptAll) => new
        {
            data = new
            {
                first_name = r.Q("first_name"), last_name = r.Q("last_name"), email, score, domain = r.Q("domain"), accept_all = acceptAll,
                position = email is null ? null : "CTO", twitter = email is null ? null : "ada_codes",
                linkedin_url = email is null ? null : "https://www.linkedin.com/in/ada-" + scenario, phone_number = (string?)null,
                company = email is null ? null : "Acme", sources = Array.Empty<object>(),
                verification = new { date = status is null ? null : "2026-11-20", status },
            },
            meta = new { @params = new { domain = r.Q("domain"), first_name = r.Q("first_name"), last_name = r.Q("last_name") } },
        };
        return scenario switch
        {
            "nomatch" => Json(Data(null, null, null, false)),
            "nomatch404" => HunterErrors(404, "not_found", "No result"),
            "catchall" => Bill("hunter", 1, Json(Data(EmailOf(scenario), 72, "accept_all", true))),
            "credits" => HunterErrors(429, "too_many_requests", "You have reached your monthly usage limit. Upgrade your plan to continue."),
            "ratelimit" => HunterErrors(403, "too_many_requests", "You have reached the rate limit (15 requests per second)"),
            "broken" => HunterErrors(500, "internal_error", "Something went wrong on our side"),
            _ => Bill("hunter", 1, Json(Data(EmailOf(scenario), 97, "valid", false))),
        };
    }

    private IResult HunterVerifier(VendorRequest r)
    {
        if (!HunterKey(r)) return HunterErrors(401, "authentication_failed", "No user found for the API key supplied");
        var email = r.Q("email");
        var scenario = VerifierScenario("hunter", email);
        // "pending": the first call is still verifying (202), the next one has the verdict.
        if (scenario == "pending" && _reads.AddOrUpdate("hunter:" + email, 1, (_, n) => n + 1) == 1)
            return Json(new { data = new { status = (string?)null } }, 202);
        if (scenario == "smtpfail") return Json(new { data = new { status = "unknown" } }, 222);
        var status = scenario switch { "catchall" => "accept_all", "invalid" => "invalid", "unknown" => "unknown", "webmail" => "webmail", _ => "valid" };
        return Json(new { data = new { status, result = "deliverable", score = 90, email, regexp = true, gibberish = false, disposable = false,
            webmail = status == "webmail", mx_records = true, smtp_server = true, smtp_check = status == "valid", accept_all = status == "accept_all",
            block = false, sources = Array.Empty<object>() } });
    }

    // apollo: X-Api-Key; inputs in the query string (a JSON body with the same names is accepted too).
    private IResult Apollo(VendorRequest r)
    {
        if (r.Header("x-api-key") != GoodKey) return Json(new { error = "Invalid access credentials." }, 401);
        Asked("apollo");
        var (status, body) = ApolloAnswer(name => r.Q(name) ?? r.B(name));
        if (status == 200 && JsonSerializer.SerializeToNode(body)?["person"] is not null)
        {
            Matched("apollo");
            Bill("apollo", 1, Results.Ok());
        }
        if (status == 200 && (r.Q("reveal_phone_number") ?? r.B("reveal_phone_number")) is "true" or "True")
            PhonesAsked(r.Q("webhook_url") ?? r.B("webhook_url"), [JsonSerializer.SerializeToNode(body)?["person"]]);
        return Json(body, status);
    }

    /// <summary>A match asked with <c>reveal_phone_number</c>: Apollo will POST the numbers to its <c>webhook_url</c> later.</summary>
    public sealed record PhoneReveal(string WebhookUrl, string PersonId);

    private readonly ConcurrentQueue<PhoneReveal> _phoneReveals = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _revealWaiters = [];

    private void PhonesAsked(string? webhookUrl, IEnumerable<JsonNode?> people)
    {
        // Apollo refuses reveal_phone_number without a webhook_url.
        if (webhookUrl is null) throw new InvalidOperationException("reveal_phone_number without webhook_url");
        foreach (var person in people)
            if (person?["id"]?.ToString() is { } id) _phoneReveals.Enqueue(new PhoneReveal(webhookUrl, id));
        lock (_revealWaiters)
            foreach (var (count, reached) in _revealWaiters.Where(w => _phoneReveals.Count >= w.Count)) reached.TrySetResult();
    }

    public IReadOnlyList<PhoneReveal> PhoneReveals => _phoneReveals.ToList();

    /// <summary>Completes once <paramref name="count"/> phone reveals were asked in all (a signal, not a poll).</summary>
    public Task PhoneRevealsAsked(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_revealWaiters)
        {
            if (_phoneReveals.Count >= count) return Task.CompletedTask;
            _revealWaiters.Add((count, reached));
        }
        return reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public static string ApolloPersonId(string scenario) => "ap-" + scenario;
    public const string ApolloMobile = "+14155550142";

    /// <summary>
    /// Apollo's later POST of the numbers of <paramref name="personId"/> to the webhook its match was given, sent through
    /// <paramref name="client"/> (whose base address is the server the URL reaches). Apollo bills 8 credits for a mobile.
    /// </summary>
    public async Task<HttpResponseMessage> PostPhonesAsync(HttpClient client, string personId, string? mobile = ApolloMobile)
    {
        var reveal = _phoneReveals.Last(p => p.PersonId == personId);
        var numbers = mobile is null ? Array.Empty<object>() : new object[]
        {
            new { raw_number = "+1 415-555-0199", sanitized_number = "+14155550199", type = "work_hq", status = "valid_number", position = 0 },
            new { raw_number = "+1 415-555-0142", sanitized_number = mobile, type = "mobile", status = "valid_number", position = 1 },
        };
        var payload = new { status = "success", people = new[] { new { id = personId, phone_numbers = numbers } } };
        var response = await client.PostAsJsonAsync(new Uri(reveal.WebhookUrl).PathAndQuery, payload);
        if (response.IsSuccessStatusCode && mobile is not null) Bill("apollo", 8, Results.Ok());
        return response;
    }

    /// <summary>Bulk: up to 10 <c>details</c>, <c>matches</c> in their order with null for no match; a failure fails the whole call.</summary>
    private IResult ApolloBulk(VendorRequest r)
    {
        if (r.Header("x-api-key") != GoodKey) return Json(new { error = "Invalid access credentials." }, 401);
        if (r.Body?["details"] is not JsonArray { Count: >= 1 and <= 10 } details)
            return Json(new { error = "details must hold 1 to 10 people", error_code = "INVALID_INPUT" }, 422);
        var answers = details.Select(d => ApolloAnswer(name => d is JsonObject o && o[name] is JsonValue v ? v.ToString() : null)).ToList();
        if (answers.FirstOrDefault(a => a.Status != 200) is { Body: not null } failed) return Json(failed.Body, failed.Status);
        var matches = answers.Select(a => JsonSerializer.SerializeToNode(a.Body)?["person"]).ToArray();
        Asked("apollo", details.Count);
        Matched("apollo", matches.Count(m => m is not null));
        Bill("apollo", matches.Count(m => m is not null), Results.Ok());
        if (r.Body?["reveal_phone_number"]?.ToString() is "true" or "True") PhonesAsked(r.Body?["webhook_url"]?.ToString(), matches);
        return Json(new { status = "success", matches, missing_records = matches.Count(m => m is null), credits_consumed = matches.Count(m => m is not null) });
    }

    private (int Status, object Body) ApolloAnswer(Func<string, string?> In)
    {
        if (In("domain") is null && In("organization_name") is null && In("email") is null && In("linkedin_url") is null)
            return (200, new { person = (object?)null });
        var scenario = FinderScenario("apollo", In("last_name"));
        object Person(string? email, string emailStatus) => new
        {
            person = new
            {
                id = ApolloPersonId(scenario), first_name = In("first_name"), last_name = In("last_name"), name = $"{In("first_name")} {In("last_name")}",
                title = "Chief Technology Officer", linkedin_url = "http://www.linkedin.com/in/ada-" + scenario, email, email_status = emailStatus,
                extrapolated_email_confidence = (double?)null, personal_emails = Array.Empty<string>(),
                organization = new { id = "5e66b6381e05b4008c8331b8", name = "Acme", primary_domain = In("domain") },
                employment_history = Array.Empty<object>(),
            },
        };
        return scenario switch
        {
            "nomatch" => (200, new { person = (object?)null }),
            "noemail" => (200, Person(null, "unavailable")),
            "guessed" => (200, Person(EmailOf(scenario), "guessed")),
            "credits" => (422, new { error = "You have insufficient credits to complete this request.", error_code = "INSUFFICIENT_CREDITS" }),
            // Apollo's out-of-credit status is unconfirmed: a 402 too.
            "credits402" => (402, new { error = "Payment required", error_code = "INSUFFICIENT_CREDITS" }),
            "inaccessible" => (403, new { error = "This endpoint is not accessible with your current plan or API key", error_code = "API_INACCESSIBLE" }),
            "ratelimit" => (429, new { message = "The maximum number of api calls allowed for api/v1/people/match is 50 times per minute." }),
            "broken" => (500, new { error = "Internal server error" }),
            _ => (200, Person(EmailOf(scenario), "verified")),
        };
    }

    // pdl: X-Api-Key (or query api_key); 404 is no match, 402 credits exhausted.
    private static bool PdlKey(VendorRequest r) => r.Header("x-api-key") == GoodKey || r.Q("api_key") == GoodKey;
    private static IResult PdlBadKey() => Json(new { status = 401, error = new { type = "authentication_error", message = "Invalid API key" } }, 401);

    private IResult Pdl(VendorRequest r)
    {
        if (!PdlKey(r)) return PdlBadKey();
        Asked("pdl");
        var (status, body) = PdlAnswer(r.Body);
        return Json(body, status);
    }

    /// <summary>Bulk: up to 100 <c>requests[].params</c>, answered by an array of single answers, each with its own status.</summary>
    private IResult PdlBulk(VendorRequest r)
    {
        if (!PdlKey(r)) return PdlBadKey();
        if (r.Body?["requests"] is not JsonArray { Count: >= 1 and <= 100 } requests)
            return Json(new { status = 400, error = new { type = "invalid_request_error", message = "requests must hold 1 to 100 items" } }, 400);
        Asked("pdl", requests.Count);
        return Json(requests.Select(q => PdlAnswer(q?["params"]).Body).ToArray());
    }

    private (int Status, object Body) PdlAnswer(JsonNode? body)
    {
        string? B(string name) => body is JsonObject o && o[name] is JsonValue v ? v.ToString() : null;
        var scenario = FinderScenario("pdl", B("last_name") ?? B("name")?.Split(' ').Last() ?? B("profile")?.Split("ada-").Last());
        object Match(object workEmail, object mobile) => new
        {
            status = 200, likelihood = 8,
            data = new
            {
                id = "qEnOZ5Oh0poWnQ1luFBfVw_0000", full_name = "ada " + scenario, first_name = "ada", last_name = scenario, work_email = workEmail,
                personal_emails = Array.Empty<string>(), recommended_personal_email = (string?)null, mobile_phone = mobile, phone_numbers = Array.Empty<string>(),
                linkedin_url = "linkedin.com/in/ada-" + scenario, job_title = "chief technology officer", job_company_name = "acme",
                job_company_website = Domain, location_name = "london, england, united kingdom",
            },
        };
        (int, object) Billed(object answer)
        {
            Bill("pdl", 1, Results.Ok());
            Matched("pdl");
            return (200, answer);
        }
        return scenario switch
        {
            "nomatch" => (404, new { status = 404, error = new { type = "not_found", message = "No records were found matching your request" } }),
            "freeplan" => Billed(Match(true, true)),
            "credits" => (402, new { status = 402, error = new { type = "payment_required", message = "You have hit your account maximum for person enrichment" } }),
            "ratelimit" => (429, new { status = 429, error = new { type = "rate_limit_error", message = "Rate limit exceeded" } }),
            "broken" => (500, new { status = 500, error = new { type = "server_error", message = "Internal error" } }),
            _ => Billed(Match(EmailOf(scenario), "+14155550123")),
        };
    }

    // prospeo: X-KEY, inputs inside "data"; NO_MATCH and INSUFFICIENT_CREDITS are both HTTP 400.
    private IResult Prospeo(VendorRequest r)
    {
        if (r.Header("x-key") != GoodKey) return ProspeoBadKey(r);
        if (r.Header("content-type")?.StartsWith("application/json") != true) return Json(new { error = true, error_code = "INVALID_REQUEST" }, 400);
        if (r.Body?["data"] is not JsonObject data) return Json(new { error = true, error_code = "INVALID_DATAPOINTS" }, 400);
        Asked("prospeo");
        var answer = ProspeoAnswer(data, r.B("enrich_mobile") == "true");
        ProspeoBill(answer);
        return Json(answer.Body, answer.Status);
    }

    /// <summary>Bulk: up to 50 records with identifiers, answered as matched and not_matched lists; a failure fails the whole call.</summary>
    private IResult ProspeoBulk(VendorRequest r)
    {
        if (r.Header("x-key") != GoodKey) return ProspeoBadKey(r);
        if (r.Body?["data"] is not JsonArray { Count: >= 1 and <= 50 } records || records.Any(d => d?["identifier"] is null))
            return Json(new { error = true, error_code = "INVALID_DATAPOINTS" }, 400);
        var answers = records.Select(d => (Id: d!["identifier"]!.ToString(), Answer: ProspeoAnswer((JsonObject)d, r.B("enrich_mobile") == "true"))).ToList();
        if (answers.FirstOrDefault(a => a.Answer.Status != 200 && a.Answer.Status != 400 || JsonSerializer.SerializeToNode(a.Answer.Body)?["error_code"]?.ToString() is "INSUFFICIENT_CREDITS" or "INTERNAL_ERROR")
            is { Id: not null } failed)
            return Json(failed.Answer.Body, failed.Answer.Status);
        Asked("prospeo", records.Count);
        var matched = answers.Where(a => a.Answer.Status == 200).Select(a =>
        {
            var node = JsonSerializer.SerializeToNode(a.Answer.Body)!;
            return new { identifier = a.Id, person = node["person"], company = node["company"] };
        }).ToArray();
        var cost = answers.Where(a => a.Answer.Status == 200).Sum(a => a.Answer.Credits);
        foreach (var (_, answer) in answers) ProspeoBill(answer);
        return Json(new { error = false, total_cost = cost, matched, not_matched = answers.Where(a => a.Answer.Status != 200).Select(a => a.Id).ToArray() });
    }

    /// <summary>Prospeo bills a record once for the account's lifetime: asked again (with the same mobile flag), it is free.</summary>
    private readonly ConcurrentDictionary<string, bool> _prospeoBilled = new();

    private static IResult ProspeoBadKey(VendorRequest r) => r.Header("x-key") == OtherBadKey
        ? Json(new { error = true, message = "INVALID_API_KEY" }, 400)
        : Json(new { error = true, error_code = "INVALID_API_KEY" }, 401);

    /// <summary>A match is billed (once per record) only when the call that found it answered.</summary>
    private void ProspeoBill((int Status, object Body, decimal Credits, string? Record) answer)
    {
        if (answer.Status != 200) return;
        Matched("prospeo");
        if (_prospeoBilled.TryAdd(answer.Record!, true)) Bill("prospeo", answer.Credits, Results.Ok());
    }

    /// <summary>One record's answer: its status and body, the credits it costs unless billed before, and the record it bills.</summary>
    private (int Status, object Body, decimal Credits, string? Record) ProspeoAnswer(JsonObject data, bool enrichMobile)
    {
        string? D(string name) => data[name] is JsonValue v ? v.ToString() : null;
        var scenario = FinderScenario("prospeo", D("last_name"));
        var personId = "pp-" + D("last_name")?.ToLowerInvariant();
        (int, object, decimal, string?) Person(string emailStatus, bool revealed)
        {
            var record = $"{personId}:{enrichMobile}";
            var free = _prospeoBilled.ContainsKey(record);
            return (200, PersonBody(emailStatus, revealed, free), free ? 0 : enrichMobile ? 10 : 1, record);
        }
        object PersonBody(string emailStatus, bool revealed, bool free) => new
        {
            error = false, free_enrichment = free,
            person = new
            {
                person_id = personId, first_name = D("first_name"), last_name = D("last_name"),
                full_name = $"{D("first_name")} {D("last_name")}", linkedin_url = "https://www.linkedin.com/in/ada-" + scenario,
                current_job_title = "CTO", headline = "Builder", job_history = Array.Empty<object>(), location = new { country = "United Kingdom" },
                email = new { status = emailStatus, revealed, email = revealed ? EmailOf(scenario) : null, verification_method = "SMTP", email_mx_provider = "Google" },
                mobile = enrichMobile
                    ? new { status = "VERIFIED", revealed = true, mobile = (string?)"(415) 555-0123", mobile_international = (string?)"+14155550123" }
                    : new { status = "NOT_REQUESTED", revealed = false, mobile = (string?)null, mobile_international = (string?)null },
            },
            company = new { name = "Acme", website = Domain },
        };
        return scenario switch
        {
            "nomatch" => (400, new { error = true, error_code = "NO_MATCH" }, 0, null),
            "nomatchold" => (400, new { error = true, message = "NO_MATCH" }, 0, null),
            "credits" => (400, new { error = true, error_code = "INSUFFICIENT_CREDITS" }, 0, null),
            "ratelimit" => (429, new { error = true, error_code = "RATE_LIMITED" }, 0, null),
            "broken" => (400, new { error = true, error_code = "INTERNAL_ERROR" }, 0, null),
            "restricted" => (403, new { error = true, error_code = "ACCOUNT_RESTRICTED" }, 0, null),
            "catchall" => Person("CATCH_ALL", true),
            "hidden" => Person("VERIFIED", false),
            _ => Person("VERIFIED", true),
        };
    }

    // leadmagic: X-API-Key; RFC 9457 problems; no match is 200 status not_found.
    private IResult LeadMagicFinder(VendorRequest r)
    {
        if (!string.Equals(r.Header("x-api-key"), GoodKey)) return Problem(401, "Unauthorized", "Invalid API key");
        var scenario = FinderScenario("leadmagic", r.B("last_name"));
        object Found(string status) => new
        {
            email = EmailOf(scenario), status, credits_consumed = 1, message = "Email found", first_name = r.B("first_name"), last_name = r.B("last_name"),
            domain = r.B("domain"), is_domain_catch_all = status != "valid", mx_record = "aspmx.l.google.com", mx_provider = "Google",
            company_name = "Acme", company_industry = "Software",
        };
        return scenario switch
        {
            "nomatch" => Json(new { email = (string?)null, status = "not_found", credits_consumed = 0, message = "Email not found" }),
            "catchall" => Bill("leadmagic", 1, Json(Found("catch_all"))),
            "probable" => Bill("leadmagic", 1, Json(Found("valid_catch_all"))),
            "credits" => Problem(402, "Payment Required", "Insufficient credits"),
            "ratelimit" => Problem(429, "Too Many Requests", "Rate limit exceeded"),
            "broken" => Problem(503, "Service Unavailable", "Try again later"),
            _ => Bill("leadmagic", 1, Json(Found("valid"))),
        };
    }

    private IResult LeadMagicVerifier(VendorRequest r)
    {
        if (!string.Equals(r.Header("x-api-key"), GoodKey)) return Problem(401, "Unauthorized", "Invalid API key");
        var scenario = VerifierScenario("leadmagic", r.B("email"));
        var status = scenario switch { "catchall" => "catch_all", "probable" => "valid_catch_all", "invalid" => "invalid", "unknown" => "unknown", _ => "valid" };
        return scenario == "credits" ? Problem(402, "Payment Required", "Insufficient credits") : Json(new { email = r.B("email"), status, credits_consumed = 0.25 });
    }

    private static IResult FindymailBadKey(VendorRequest r) => r.Header("authorization") == "Bearer " + OtherBadKey
        ? Json(new { message = "This action is unauthorized." }, 403)
        : Json(new { message = "Unauthenticated." }, 401);

    // findymail: Bearer; errors at HTTP 200 carry "error".
    private IResult FindymailFinder(VendorRequest r)
    {
        if (r.Header("authorization") != "Bearer " + GoodKey) return FindymailBadKey(r);
        var scenario = FinderScenario("findymail", r.B("name")?.Split(' ').Last());
        Asked("findymail");
        return scenario switch
        {
            "nomatch" => Json(new { contact = new { name = r.B("name"), email = (string?)null, domain = r.B("domain") } }),
            "nomatch404" => Json(new { message = "Not found" }, 404),
            "credits" => Json(new { error = "Not enough credits" }),
            "err200" => Json(new { error = "Something went wrong" }),
            "ratelimit" => Json(new { message = "Too Many Attempts." }, 429),
            "broken" => Json(new { message = "Server Error" }, 500),
            _ => Found(Json(new { contact = new { name = r.B("name"), email = EmailOf(scenario), domain = r.B("domain") } })),
        };

        IResult Found(IResult answer)
        {
            Matched("findymail");
            return Bill("findymail", 1, answer);
        }
    }

    private IResult FindymailVerifier(VendorRequest r)
    {
        if (r.Header("authorization") != "Bearer " + GoodKey) return FindymailBadKey(r);
        var scenario = VerifierScenario("findymail", r.B("email"));
        Asked("findymail");
        return scenario == "credits" ? Json(new { error = "Not enough credits" }) : Bill("findymail", 1, Json(new { email = r.B("email"), verified = scenario != "invalid" }));
    }

    // icypeas: raw key in Authorization; a ticket, then reads until it is done.
    private readonly ConcurrentDictionary<string, string> _tickets = new();
    private readonly ConcurrentDictionary<string, bool> _ticketsBilled = new();

    private IResult IcypeasSubmit(VendorRequest r, string subject)
    {
        if (r.Header("authorization") != GoodKey) return Json(new { success = false, message = "Invalid API key" }, r.Header("authorization") == OtherBadKey ? 403 : 401);
        var scenario = r.Path == "/api/email-search" ? FinderScenario("icypeas", subject) : subject;
        if (scenario == "ratelimit") return Json(new { success = false, message = "Too many requests" }, 429);
        if (scenario == "broken") return Json(new { success = false, message = "Internal server error" }, 502);
        var id = (r.Path == "/api/email-search" ? "s" : "v") + Guid.NewGuid().ToString("N")[..23];
        _tickets[id] = scenario;
        Asked("icypeas");
        return Json(new { success = true, item = new { _id = id, status = "NONE" } });
    }

    private IResult IcypeasRead(VendorRequest r)
    {
        if (r.Header("authorization") != GoodKey) return Json(new { success = false, message = "Invalid API key" }, r.Header("authorization") == OtherBadKey ? 403 : 401);
        var id = r.B("id") ?? "";
        if (!_tickets.TryGetValue(id, out var scenario)) return Json(new { success = true, items = Array.Empty<object>(), total = 0 });
        // The first read finds the search still running.
        if (_reads.AddOrUpdate("icypeas:" + id, 1, (_, n) => n + 1) == 1) return Json(Item(id, "IN_PROGRESS", []));
        // A search costs a credit when it found an email, a verification 0.1 whatever it found; each once, however often read.
        IResult Done(IResult answer, bool emailFound)
        {
            if (!_ticketsBilled.TryAdd(id, true)) return answer;
            if (id[0] == 'v') return Bill("icypeas", 0.1m, answer);
            if (!emailFound) return answer;
            Matched("icypeas");
            return Bill("icypeas", 1, answer);
        }
        return scenario switch
        {
            "nomatch" => Done(Json(Item(id, "NOT_FOUND", [])), emailFound: false),
            "credits" => Json(Item(id, "INSUFFICIENT_FUNDS", [])),
            "badinput" => Json(Item(id, "BAD_INPUT", [])),
            "aborted" => Json(Item(id, "ABORTED", [])),
            "probable" => Done(Json(Item(id, "DEBITED", [new { email = EmailOf(scenario), certainty = "probable", mxRecords = new[] { "mx.acme.test" }, mxProvider = "google" }])), emailFound: true),
            "invalid" => Done(Json(Item(id, "DEBITED", [new { email = "x@acme.test", certainty = "undeliverable", mxRecords = Array.Empty<string>(), mxProvider = "" }])), emailFound: true),
            _ => Done(Json(Item(id, "DEBITED", [new { email = EmailOf(scenario), certainty = "ultra_sure", mxRecords = new[] { "mx.acme.test" }, mxProvider = "google" }])), emailFound: true),
        };
    }

    private static object Item(string id, string status, object[] emails) => new
    {
        success = true, total = 1,
        items = new[] { new { _id = id, status, results = new { firstname = "Ada", lastname = "", fullname = "Ada", gender = "female", emails, phones = Array.Empty<object>(), saasServices = Array.Empty<object>() }, userData = new { }, system = new { } } },
    };

    // dropcontact: X-Access-Token; submit, then poll; "not ready" is a wait; 403 is out of credits for the whole request.
    private readonly ConcurrentDictionary<string, string[]> _dropcontactRequests = new();
    private readonly ConcurrentDictionary<string, bool[]> _dropcontactEmailsGiven = new();
    private readonly ConcurrentDictionary<string, bool> _dropcontactBilled = new();

    private volatile bool _dropcontactHeld;
    private int _contactsSubmitted;
    private readonly List<(int Count, TaskCompletionSource Reached)> _submitWaiters = [];

    public int DropcontactContacts { get { lock (_submitWaiters) return _contactsSubmitted; } }

    /// <summary>While held, every Dropcontact request reads "not ready yet".</summary>
    public void HoldDropcontact(bool held) => _dropcontactHeld = held;

    /// <summary>How long a Dropcontact request takes to be ready after it was sent.</summary>
    public TimeSpan DropcontactTakes { get; set; } = TimeSpan.FromMilliseconds(300);

    private readonly ConcurrentDictionary<string, long> _dropcontactSentAt = new();

    /// <summary>Completes once Dropcontact was sent <paramref name="count"/> contacts in all.</summary>
    public Task DropcontactContactsSubmitted(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_submitWaiters)
        {
            if (_contactsSubmitted >= count) return Task.CompletedTask;
            _submitWaiters.Add((count, reached));
        }
        return reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private IResult DropcontactSubmit(VendorRequest r)
    {
        if (r.Header("x-access-token") != GoodKey)
            return Json(new { error = true, reason = "Invalid token", success = false }, r.Header("x-access-token") == OtherBadKey ? 403 : 401);
        if (r.Body?["data"] is not JsonArray { Count: >= 1 and <= 250 } contacts)
            return Json(new { error = true, reason = "data must hold 1 to 250 contacts", success = false }, 400);
        var scenarios = contacts.Select(c => FinderScenario("dropcontact", c?["last_name"]?.ToString())).ToArray();
        if (scenarios.Contains("credits")) return Json(new { error = true, reason = "You don't have enough credits", success = false }, 403);
        if (scenarios.Contains("ratelimit")) return Json(new { error = true, reason = "Too many requests", success = false }, 429);
        var id = Guid.NewGuid().ToString("N");
        _dropcontactRequests[id] = scenarios;
        _dropcontactSentAt[id] = r.ReceivedAt;
        _dropcontactEmailsGiven[id] = contacts.Select(c => c?["email"] is not null).ToArray();
        Asked("dropcontact", contacts.Count);
        lock (_submitWaiters)
        {
            _contactsSubmitted += scenarios.Length;
            foreach (var (count, reached) in _submitWaiters.Where(w => _contactsSubmitted >= w.Count)) reached.TrySetResult();
        }
        return Json(new { error = false, request_id = id, success = true, credits_left = 420 });
    }

    private IResult DropcontactPoll(VendorRequest r)
    {
        if (r.Header("x-access-token") != GoodKey)
            return Json(new { error = true, reason = "Invalid token", success = false }, r.Header("x-access-token") == OtherBadKey ? 403 : 401);
        var id = r.Path.Split('/').Last();
        if (!_dropcontactRequests.TryGetValue(id, out var scenarios)) return Json(new { error = true, reason = "Unknown request", success = false });
        if (_dropcontactHeld || System.Diagnostics.Stopwatch.GetElapsedTime(_dropcontactSentAt[id]) < DropcontactTakes)
            return Json(new { error = false, success = false, reason = "Request not ready yet, try again in 30 seconds" });
        if (scenarios.Contains("err200")) return Json(new { error = true, success = false, reason = "An internal error occurred" });
        // Taken on send, refunded where no email was found; an email given (verify only) is never refunded. Billed once.
        if (_dropcontactBilled.TryAdd(id, true))
        {
            var given = _dropcontactEmailsGiven[id];
            Matched("dropcontact", scenarios.Length);
            Bill("dropcontact", scenarios.Where((scenario, i) => given[i] || scenario != "nomatch").Count(), Results.Ok());
        }
        object Record(string scenario) => new
        {
            civility = "Mrs", first_name = "Ada", last_name = scenario, full_name = "Ada " + scenario,
            email = scenario switch
            {
                "nomatch" => Array.Empty<object>(),
                "catchall" => new object[] { new { email = EmailOf(scenario), qualification = "catch_all@pro" } },
                _ => new object[] { new { email = EmailOf(scenario), qualification = "nominative@pro" } },
            },
            phone = "+33 1 86 76 06 96", company = "Acme", website = "https://" + Domain, linkedin = "https://www.linkedin.com/in/ada-" + scenario,
            job = "CTO", custom_fields = new { },
        };
        return Json(new { error = false, success = true, data = scenarios.Select(Record).ToArray() });
    }

    // zerobounce: api_key in the query; a bad key or no credits is {"error": …} at HTTP 200.
    private IResult ZeroBounce(VendorRequest r)
    {
        if (r.Q("api_key") != GoodKey) return Json(new { error = "Invalid API Key or your account ran out of credits" });
        var email = r.Q("email");
        if (VerifierScenario("zerobounce", email) == "ratelimit") return Json(new { error = "Too many requests" }, 429);
        var (status, sub) = VerifierScenario("zerobounce", email) switch
        {
            "catchall" => ("catch-all", ""), "invalid" => ("invalid", "mailbox_not_found"), "unknown" => ("unknown", "timeout_exceeded"),
            "disposable" => ("do_not_mail", "disposable"), "spamtrap" => ("spamtrap", ""), _ => ("valid", ""),
        };
        return Bill("zerobounce", 1, Json(new { address = email, status, sub_status = sub, free_email = false, did_you_mean = (string?)null, account = "ada", domain = Domain,
            domain_age_days = "9000", smtp_provider = "google", mx_found = "true", mx_record = "mx.acme.test", processed_at = "2026-12-01 10:00:00.000" }));
    }

    // neverbounce: key in the query; errors at HTTP 200 with a status other than success.
    private IResult NeverBounce(VendorRequest r)
    {
        if (r.Q("key") != GoodKey) return Json(new { status = "auth_failure", message = $"Invalid API key '{r.Q("key")}'", execution_time = 12 });
        var scenario = VerifierScenario("neverbounce", r.Q("email"));
        Asked("neverbounce");
        if (scenario == "ratelimit") return Json(new { status = "throttle_triggered", message = "Too many requests in a short amount of time", execution_time = 5 });
        if (scenario == "tempunavail") return Json(new { status = "temp_unavail", message = "Temporarily unavailable", execution_time = 5 });
        if (scenario == "generalfailure") return Json(new { status = "general_failure", message = "Missing required parameter 'email'", execution_time = 5 });
        if (scenario == "badreferrer") return Json(new { status = "bad_referrer", message = "Referrer not allowed for this key", execution_time = 5 });
        var result = scenario switch { "catchall" => "catchall", "invalid" => "invalid", "unknown" => "unknown", "disposable" => "disposable", _ => "valid" };
        return Bill("neverbounce", 1, Json(new { status = "success", result, flags = new[] { "has_dns", "has_dns_mx" }, suggested_correction = "", execution_time = 285 }));
    }

    // millionverifier: key in the query (api); errors at HTTP 200 as result "error".
    private IResult MillionVerifier(VendorRequest r)
    {
        object Answer(string result, int code, string error = "", bool role = false) => new
        {
            email = r.Q("email"), quality = result == "ok" ? "good" : "bad", result, resultcode = code, subresult = result, free = false, role,
            didyoumean = "", credits = 1000, executiontime = 1, error, livemode = true,
        };
        if (r.Q("api") != GoodKey) return Json(Answer("error", 4, "Apikey not found"));
        Asked("millionverifier");
        // An error is no verification; every verdict costs a credit.
        return VerifierScenario("millionverifier", r.Q("email")) switch
        {
            "credits" => Json(Answer("error", 4, "Insufficient credits")),
            "catchall" => Bill("millionverifier", 1, Json(Answer("catch_all", 2))),
            "unknown" => Bill("millionverifier", 1, Json(Answer("unknown", 3))),
            "invalid" => Bill("millionverifier", 1, Json(Answer("invalid", 6))),
            "role" => Bill("millionverifier", 1, Json(Answer("ok", 1, role: true))),
            _ => Bill("millionverifier", 1, Json(Answer("ok", 1))),
        };
    }

    // reacher: x-reacher-secret when the backend sets one.
    private IResult Reacher(VendorRequest r)
    {
        if (r.Header("x-reacher-secret") == OtherBadKey) return Results.Text("Missing request header \"x-reacher-secret\"", statusCode: 400);
        if (r.Header("x-reacher-secret") != GoodKey) return Json(new { error = "Invalid or missing x-reacher-secret header" }, 401);
        var email = r.B("to_email");
        var scenario = VerifierScenario("reacher", email);
        // Newer backends throttle each worker (60/min by default).
        if (scenario == "ratelimit") return Json(new { error = "Too many requests" }, 429);
        var (reachable, catchAll, canConnect) = scenario switch
        {
            "catchall" => ("risky", true, true), "risky" => ("risky", false, true), "invalid" => ("invalid", false, true),
            "unknown" => ("unknown", false, false), _ => ("safe", false, true),
        };
        return Json(new
        {
            input = email, is_reachable = reachable, misc = new { is_disposable = false, is_role_account = false },
            mx = new { accepts_mail = true, records = new[] { "mx.acme.test." } },
            smtp = new { can_connect_smtp = canConnect, has_full_inbox = false, is_catch_all = catchAll, is_deliverable = reachable == "safe", is_disabled = false },
            syntax = new { address = email, domain = Domain, is_valid_syntax = true, username = "ada" },
        });
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
