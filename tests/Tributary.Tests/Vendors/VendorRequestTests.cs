using Tributary.Core.Providers;
using Tributary.Core.Providers.Vendors;

namespace Tributary.Tests.Vendors;

/// <summary>Each vendor is called the way its documentation says: path, where the key goes, and the fields it reads.</summary>
public sealed class VendorRequestTests(VendorFakes fakes) : IClassFixture<VendorFakes>
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    private VendorContext Context(string type, string? key = VendorFakes.GoodKey) =>
        new(type, new ProviderDefinition { Type = type, ApiKey = key, BaseUrl = fakes.BaseUrl, FirstPollMs = type == "dropcontact" ? 100 : null },
            VendorCatalog.Find(type)!, Http, TimeProvider.System);

    private async Task Find(string type) =>
        (await VendorCatalog.Find(type)!.Finder!(Context(type)).LookupAsync(VendorAnswerTests.Person("found"), CancellationToken.None))
            .ShouldBeOfType<ProviderResult.Found>();

    private async Task<VendorRequest> Verify(string type, string? key = VendorFakes.GoodKey)
    {
        await VendorCatalog.Find(type)!.Verifier!(Context(type, key)).VerifyAsync(VendorFakes.EmailOf("valid"), CancellationToken.None);
        return fakes.Last(type);
    }

    [Fact]
    public async Task Hunter_finder_sends_name_and_domain_with_the_key_in_a_header()
    {
        await Find("hunter");
        var r = fakes.Last("hunter");
        (r.Method, r.Path).ShouldBe(("GET", "/v2/email-finder"));
        r.Header("X-API-KEY").ShouldBe(VendorFakes.GoodKey);
        r.Q("api_key").ShouldBeNull();
        (r.Q("domain"), r.Q("first_name"), r.Q("last_name")).ShouldBe((VendorFakes.Domain, "Ada", "found"));
    }

    [Fact]
    public async Task Apollo_sends_the_key_as_X_Api_Key_never_as_Bearer_and_the_inputs_as_query_parameters()
    {
        await Find("apollo");
        var r = fakes.Last("apollo");
        (r.Method, r.Path).ShouldBe(("POST", "/api/v1/people/match"));
        r.Header("x-api-key").ShouldBe(VendorFakes.GoodKey);
        r.Header("authorization").ShouldBeNull();
        (r.Q("first_name"), r.Q("last_name"), r.Q("domain"), r.Q("reveal_personal_emails")).ShouldBe(("Ada", "found", VendorFakes.Domain, "false"));
    }

    [Fact]
    public async Task Pdl_posts_json_with_content_length_and_the_company_as_its_domain()
    {
        await Find("pdl");
        var r = fakes.Last("pdl");
        (r.Method, r.Path).ShouldBe(("POST", "/v5/person/enrich"));
        r.Header("x-api-key").ShouldBe(VendorFakes.GoodKey);
        (r.B("first_name"), r.B("last_name"), r.B("company")).ShouldBe(("Ada", "found", VendorFakes.Domain));
        r.ContentLength.ShouldNotBeNull();
        r.ContentLength!.Value.ShouldBeGreaterThan(0);
        r.Chunked.ShouldBeFalse();
    }

    [Fact]
    public async Task Prospeo_puts_the_inputs_inside_data_and_the_key_in_X_KEY()
    {
        await Find("prospeo");
        var r = fakes.Last("prospeo");
        (r.Method, r.Path).ShouldBe(("POST", "/enrich-person"));
        r.Header("x-key").ShouldBe(VendorFakes.GoodKey);
        r.Header("content-type").ShouldStartWith("application/json");
        (r.B("data", "first_name"), r.B("data", "last_name"), r.B("data", "company_website")).ShouldBe(("Ada", "found", VendorFakes.Domain));
        r.B("linkedin_url").ShouldBeNull();
    }

    [Fact]
    public async Task LeadMagic_uses_the_v1_path_and_X_API_Key()
    {
        await Find("leadmagic");
        var r = fakes.Last("leadmagic");
        (r.Method, r.Path).ShouldBe(("POST", "/v1/people/email-finder"));
        r.Header("x-api-key").ShouldBe(VendorFakes.GoodKey);
        (r.B("first_name"), r.B("last_name"), r.B("domain")).ShouldBe(("Ada", "found", VendorFakes.Domain));
    }

    [Fact]
    public async Task Findymail_sends_a_full_name_and_a_bearer_key_and_no_webhook()
    {
        await Find("findymail");
        var r = fakes.Last("findymail");
        (r.Method, r.Path).ShouldBe(("POST", "/api/search/name"));
        r.Header("authorization").ShouldBe("Bearer " + VendorFakes.GoodKey);
        r.Header("accept").ShouldBe("application/json");
        (r.B("name"), r.B("domain")).ShouldBe(("Ada found", VendorFakes.Domain));
        r.B("webhook_url").ShouldBeNull();
    }

    [Fact]
    public async Task Icypeas_sends_the_raw_key_submits_a_ticket_and_reads_it_until_done()
    {
        var before = fakes.Count("icypeas", "/api/bulk-single-searchs/read");
        await Find("icypeas");
        var submit = fakes.Requests.Last(r => r.Vendor == "icypeas" && r.Path == "/api/email-search");
        submit.Header("authorization").ShouldBe(VendorFakes.GoodKey);
        (submit.B("firstname"), submit.B("lastname"), submit.B("domainOrCompany")).ShouldBe(("Ada", "found", VendorFakes.Domain));
        var read = fakes.Last("icypeas");
        read.Path.ShouldBe("/api/bulk-single-searchs/read");
        read.B("id").ShouldNotBeNullOrEmpty();
        // The first read found the search still in progress.
        fakes.Count("icypeas", "/api/bulk-single-searchs/read").ShouldBe(before + 2);
    }

    [Fact]
    public async Task Dropcontact_submits_with_X_Access_Token_and_polls_its_request_id_past_not_ready()
    {
        await Find("dropcontact");
        var submit = fakes.Requests.Last(r => r.Vendor == "dropcontact" && r.Method == "POST");
        submit.Path.ShouldBe("/v1/enrich/all");
        submit.Header("x-access-token").ShouldBe(VendorFakes.GoodKey);
        var contact = submit.Body!["data"]![0]!;
        (contact["first_name"]!.ToString(), contact["last_name"]!.ToString(), contact["website"]!.ToString()).ShouldBe(("Ada", "found", VendorFakes.Domain));
        var polls = fakes.Requests.Where(r => r.Vendor == "dropcontact" && r.Method == "GET").TakeLast(2).ToList();
        polls.Count.ShouldBe(2);
        polls[0].Path.ShouldBe(polls[1].Path);
        polls[0].Path.ShouldStartWith("/v1/enrich/all/");
    }

    [Fact]
    public async Task ZeroBounce_NeverBounce_and_MillionVerifier_take_the_key_in_their_documented_query_parameter()
    {
        var zb = await Verify("zerobounce");
        (zb.Path, zb.Q("api_key"), zb.Q("email"), zb.Q("ip_address")).ShouldBe(("/v2/validate", VendorFakes.GoodKey, VendorFakes.EmailOf("valid"), ""));
        var nb = await Verify("neverbounce");
        (nb.Path, nb.Q("key"), nb.Q("email")).ShouldBe(("/v4/single/check", VendorFakes.GoodKey, VendorFakes.EmailOf("valid")));
        var mv = await Verify("millionverifier");
        (mv.Path, mv.Q("api"), mv.Q("email"), mv.Q("timeout")).ShouldBe(("/api/v3/", VendorFakes.GoodKey, VendorFakes.EmailOf("valid"), "20"));
    }

    [Fact]
    public async Task Reacher_sends_its_secret_header_only_when_a_key_is_configured()
    {
        var withSecret = await Verify("reacher");
        (withSecret.Method, withSecret.Path, withSecret.B("to_email")).ShouldBe(("POST", "/v0/check_email", VendorFakes.EmailOf("valid")));
        withSecret.Header("x-reacher-secret").ShouldBe(VendorFakes.GoodKey);
        var without = await Verify("reacher", key: null);
        without.Header("x-reacher-secret").ShouldBeNull();
    }

    [Fact]
    public async Task The_finder_side_verifiers_use_their_documented_endpoints()
    {
        (await Verify("hunter")).Path.ShouldBe("/v2/email-verifier");
        var lm = await Verify("leadmagic");
        (lm.Path, lm.B("email")).ShouldBe(("/v1/people/email-validation", VendorFakes.EmailOf("valid")));
        var fm = await Verify("findymail");
        (fm.Path, fm.B("email")).ShouldBe(("/api/verify", VendorFakes.EmailOf("valid")));
        await Verify("icypeas");
        fakes.Requests.Last(r => r.Vendor == "icypeas" && r.Path == "/api/email-verification").B("email").ShouldBe(VendorFakes.EmailOf("valid"));
    }

    [Fact]
    public async Task Every_request_with_a_body_carries_Content_Length_and_is_never_chunked()
    {
        foreach (var type in new[] { "apollo", "pdl", "prospeo", "leadmagic", "findymail" }) await Find(type);
        var withBody = fakes.Requests.Where(r => r.Body is not null).ToList();
        withBody.Count.ShouldBeGreaterThan(4);
        withBody.ShouldAllBe(r => r.ContentLength > 0 && !r.Chunked);
    }
}
