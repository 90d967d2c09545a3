using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Contacts;

public abstract class ContactImportTests(TributaryApp app)
{
    [DbFact]
    public async Task Csv_import_lands_good_rows_and_reports_bad_ones_by_line()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var csv = string.Join("\n",
            "Email,First Name,last_name,Company Domain,tags,custom.crm_id,Phone,favourite_colour",
            "ada@analytical.io,Ada,Lovelace,analytical.io,vip;emea,A-1,+44 20 7946 0958,blue",
            "not-an-email,Bad,Row,x.io,,,,",
            "\"grace@navy.mil\",\"Grace \"\"Amazing\"\"\",Hopper,navy.mil,,B-2,,",
            "bro\"ken@x.io,Bad,Quote,,,,,",
            "alan@bletchley.uk,Alan,Turing,bletchley.uk,,,,",
            "");
        var response = await client.PostAsync("/v1/contacts/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var report = (await response.ShouldBeOk()).GetProperty("data");
        report.GetProperty("created").GetInt64().ShouldBe(3, report.ToString());
        var errors = report.GetProperty("errors").EnumerateArray().ToList();
        errors.Select(e => e.GetProperty("row_number").GetInt64()).ShouldBe([3, 5]);
        errors[1].GetProperty("code").GetString().ShouldBe("malformed_row");
        errors.Single(e => e.GetProperty("row_number").GetInt64() == 3).GetProperty("code").GetString().ShouldBe("validation_error");
        errors.ShouldAllBe(e => e.GetProperty("message").GetString()!.Length > 0);
        report.GetProperty("ignored_columns").EnumerateArray().Select(c => c.GetString()).ShouldBe(["favourite_colour"]);

        var list = await (await client.GetAsync("/v1/contacts?tag=emea")).ShouldBeOk();
        var ada = list.GetProperty("data").GetProperty("contacts").EnumerateArray().Single();
        ada.GetProperty("first_name").GetString().ShouldBe("Ada");
        ada.GetProperty("phone").GetString().ShouldBe("+442079460958");
        ada.GetProperty("custom").GetProperty("crm_id").GetString().ShouldBe("A-1");
        ada.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ShouldBe(["vip", "emea"]);
        var grace = (await (await client.GetAsync("/v1/contacts?search=grace")).Json()).GetProperty("data").GetProperty("contacts")[0];
        grace.GetProperty("first_name").GetString().ShouldBe("Grace \"Amazing\"");
    }

    [DbFact]
    public async Task Reimport_upserts_filling_only_empty_fields()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        await Import(client, "email,job_title\nkim@acme.com,Engineer\nlee@acme.com,\n");
        var second = await Import(client, "email,job_title,location\nKIM@acme.com,CEO,\nlee@acme.com,Designer,Oslo\nnew@acme.com,,\n");
        second.GetProperty("created").GetInt64().ShouldBe(1);
        second.GetProperty("updated").GetInt64().ShouldBe(1);
        second.GetProperty("skipped").GetInt64().ShouldBe(1);
        var kim = (await (await client.GetAsync("/v1/contacts?search=kim")).Json()).GetProperty("data").GetProperty("contacts")[0];
        kim.GetProperty("job_title").GetString().ShouldBe("Engineer");
        var lee = (await (await client.GetAsync("/v1/contacts?search=lee")).Json()).GetProperty("data").GetProperty("contacts")[0];
        lee.GetProperty("job_title").GetString().ShouldBe("Designer");
        lee.GetProperty("location").GetString().ShouldBe("Oslo");
    }

    [DbFact]
    public async Task Jsonl_import_reports_malformed_lines_by_number()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        const string jsonl = """
            {"email":"one@jsonl.io","first_name":"One","tags":["a"]}
            {"email":
            {"email":"three@jsonl.io","custom":{"n":3}}

            {"email":42}
            """;
        var response = await client.PostAsync("/v1/contacts/import", new StringContent(jsonl, Encoding.UTF8, "application/x-ndjson"));
        var report = (await response.ShouldBeOk()).GetProperty("data");
        report.GetProperty("created").GetInt64().ShouldBe(2);
        var errors = report.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("row_number").GetInt64(), e => e.GetProperty("code").GetString());
        errors.ShouldBe(new Dictionary<long, string?> { [2] = "malformed_json", [5] = "validation_error" });
    }

    [DbFact]
    public async Task Jsonl_lines_take_the_csv_aliases_and_report_unknown_keys()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        const string jsonl = """
            {"work_email":"alias@jsonl.io","firstname":"Ada","Last Name":"Lovelace","title":"Engineer","favourite_colour":"teal"}
            {"email":"plain@jsonl.io","mobile":"+14155550111","shoe_size":"42"}
            """;
        var report = (await (await client.PostAsync("/v1/contacts/import",
            new StringContent(jsonl, Encoding.UTF8, "application/x-ndjson"))).ShouldBeOk()).GetProperty("data");
        report.GetProperty("created").GetInt64().ShouldBe(2);
        report.GetProperty("ignored_columns").EnumerateArray().Select(c => c.GetString()).ShouldBe(["favourite_colour", "shoe_size"]);
        var ada = (await (await client.GetAsync("/v1/contacts?search=alias@jsonl.io")).Json()).GetProperty("data").GetProperty("contacts")[0];
        ada.GetProperty("email").GetString().ShouldBe("alias@jsonl.io");
        ada.GetProperty("first_name").GetString().ShouldBe("Ada");
        ada.GetProperty("last_name").GetString().ShouldBe("Lovelace");
        ada.GetProperty("job_title").GetString().ShouldBe("Engineer");
        var plain = (await (await client.GetAsync("/v1/contacts?search=plain@jsonl.io")).Json()).GetProperty("data").GetProperty("contacts")[0];
        plain.GetProperty("phone").GetString().ShouldBe("+14155550111");
    }

    [DbFact]
    public async Task Format_is_sniffed_when_the_content_type_says_nothing()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var jsonl = new ByteArrayContent("{\"email\":\"sniff@jsonl.io\"}\n"u8.ToArray());
        (await (await client.PostAsync("/v1/contacts/import", jsonl)).ShouldBeOk()).GetProperty("data").GetProperty("created").GetInt64().ShouldBe(1);
        var csv = new ByteArrayContent("email\nsniff@csv.io\n"u8.ToArray());
        (await (await client.PostAsync("/v1/contacts/import", csv)).ShouldBeOk()).GetProperty("data").GetProperty("created").GetInt64().ShouldBe(1);
        var garbage = new StringContent("colour,size\nred,big\n", Encoding.UTF8, "text/csv");
        await (await client.PostAsync("/v1/contacts/import", garbage)).ShouldBeError(400, "validation_error");
    }

    [DbFact]
    public async Task A_large_streamed_import_lands_every_row()
    {
        const int rows = 20_000;
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var content = new GeneratedCsvContent(rows);
        var report = (await (await client.PostAsync("/v1/contacts/import", content)).ShouldBeOk()).GetProperty("data");
        report.GetProperty("created").GetInt64().ShouldBe(rows);
        report.GetProperty("errors").GetArrayLength().ShouldBe(0);
        (await (await client.GetAsync("/v1/contacts?per_page=1")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(rows);
        var companies = (await (await client.GetAsync("/v1/companies?per_page=1")).Json()).GetProperty("meta").GetProperty("total").GetInt64();
        companies.ShouldBe(GeneratedCsvContent.Companies);
    }

    [DbFact]
    public async Task Rows_spanning_several_batches_keep_their_line_numbers_and_duplicates_collapse()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        (await client.PostJson("/v1/suppressions", new { email = "hidden@span.io" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        const int rows = 2 * 2000 + 700; // three internal batches
        var lines = new List<string> { "email,first_name,last_name,company_domain,job_title" };
        var expected = new Dictionary<long, string>();
        for (var i = 0; i < rows; i++)
        {
            var line = lines.Count + 1; // header = line 1
            if (i % 997 == 5) { lines.Add($"broken-{i},Bad,Row,span.io,"); expected[line] = "validation_error"; }
            else if (i == 3500) { lines.Add("HIDDEN@span.io,Hid,Den,span.io,"); expected[line] = "suppressed"; }
            else if (i == 4100) lines.Add("Person7@SPAN.io,Seven,Again,span.io,Late Title"); // same person as row 7, in another batch
            else if (i == 8) lines.Add("person7@span.io,,,,Filled"); // same person within the batch: fills nothing already set
            else lines.Add($"person{i}@span.io,First{i},Last{i},span{i % 7}.io,{(i == 7 ? "" : "Role")}");
        }
        var report = await Import(client, string.Join("\n", lines) + "\n");
        var errors = report.GetProperty("errors").EnumerateArray()
            .ToDictionary(e => e.GetProperty("row_number").GetInt64(), e => e.GetProperty("code").GetString()!);
        errors.ShouldBe(expected);
        var created = rows - expected.Count - 2;
        report.GetProperty("created").GetInt64().ShouldBe(created);
        report.GetProperty("failed").GetInt64().ShouldBe(expected.Count);
        (await (await client.GetAsync("/v1/contacts?per_page=1")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(created);
        var seven = (await (await client.GetAsync("/v1/contacts?search=person7@span.io")).Json()).GetProperty("data").GetProperty("contacts")
            .EnumerateArray().ToList();
        seven.Count.ShouldBe(1);
        seven[0].GetProperty("first_name").GetString().ShouldBe("First7");
        seven[0].GetProperty("job_title").GetString().ShouldBe("Filled"); // row 8 filled the empty title; row 4100 changed nothing
        (await (await client.GetAsync("/v1/contacts?search=hidden@span.io")).Json()).GetProperty("data").GetProperty("contacts")
            .GetArrayLength().ShouldBe(0);

        // The same file again: every good row matches its contact, nothing is created twice.
        var again = await Import(client, string.Join("\n", lines) + "\n");
        again.GetProperty("created").GetInt64().ShouldBe(0);
        (await (await client.GetAsync("/v1/contacts?per_page=1")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(created);
    }

    [DbFact]
    public async Task Import_needs_write_contacts()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var reader = app.Client(await app.CreateKeyAsync(ws.Id, ["read:contacts"]));
        await (await reader.PostAsync("/v1/contacts/import", new StringContent("email\na@b.io\n", Encoding.UTF8, "text/csv")))
            .ShouldBeError(403, "insufficient_permissions");
    }

    [DbFact]
    public async Task Csv_in_the_encodings_and_separators_of_spreadsheet_exports_is_transcoded()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        (string? Charset, string Separator)[] exports = [("windows-1252", ";"), ("iso-8859-1", "\t"), ("utf-16", ","), (null, ";")];
        foreach (var (charset, separator) in exports)
        {
            var email = $"zoe.{charset ?? "bom"}@cafe.fr";
            var csv = string.Join("\r\n", string.Join(separator, "Email", "First Name", "Last Name", "Company"),
                string.Join(separator, email, "Zoë", "Müller-Lüdenscheidt", "Café Crème"), "");
            // null: UTF-8 with a byte order mark, as Excel writes it
            var encoding = charset is null ? new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)
                : charset == "windows-1252" ? CodePagesEncodingProvider.Instance.GetEncoding(1252)! : Encoding.GetEncoding(charset);
            var content = new ByteArrayContent([.. encoding.GetPreamble(), .. encoding.GetBytes(csv)]);
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(charset is null ? "text/csv" : $"text/csv; charset={charset}");
            var report = (await (await client.PostAsync("/v1/contacts/import", content)).ShouldBeOk()).GetProperty("data");
            report.GetProperty("created").GetInt64().ShouldBe(1, $"{charset}: {report}");
            var contact = (await (await client.GetAsync($"/v1/contacts?search={Uri.EscapeDataString(email)}")).ShouldBeOk()).GetProperty("data").GetProperty("contacts").EnumerateArray().Single();
            contact.GetProperty("first_name").GetString().ShouldBe("Zoë", charset);
            contact.GetProperty("last_name").GetString().ShouldBe("Müller-Lüdenscheidt", charset);
            contact.GetProperty("company_name").GetString().ShouldBe("Café Crème", charset);
        }
    }

    [DbFact]
    public async Task A_windows_1252_export_keeps_the_characters_latin_1_lacks_exactly()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        // € is 0x80, “ ” are 0x93 and 0x94, – is 0x96: in ISO-8859-1 those bytes are control characters.
        const string company = "Café “Crème” – 5 €", title = "Head of “Growth” – EMEA";
        var csv = string.Join("\r\n", "Email;First Name;Last Name;Company;Job Title", $"zoe.1252@cafe.fr;Zoë;O’Brien;{company};{title}", "");
        var bytes = CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(csv);
        bytes.ShouldContain((byte)0x80);
        bytes.ShouldContain((byte)0x93);
        bytes.ShouldContain((byte)0x94);
        bytes.ShouldContain((byte)0x96);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv; charset=windows-1252");

        var report = (await (await client.PostAsync("/v1/contacts/import", content)).ShouldBeOk()).GetProperty("data");

        report.GetProperty("created").GetInt64().ShouldBe(1, report.ToString());
        var contact = (await (await client.GetAsync("/v1/contacts?search=zoe.1252")).ShouldBeOk()).GetProperty("data").GetProperty("contacts").EnumerateArray().Single();
        contact.GetProperty("first_name").GetString().ShouldBe("Zoë");
        contact.GetProperty("last_name").GetString().ShouldBe("O’Brien");
        contact.GetProperty("company_name").GetString().ShouldBe(company);
        contact.GetProperty("job_title").GetString().ShouldBe(title);
    }

    [DbFact]
    public async Task A_charset_that_is_not_read_is_415()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var content = new StringContent("email\na@b.io\n");
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("text/csv; charset=ebcdic-klingon");
        await (await client.PostAsync("/v1/contacts/import", content)).ShouldBeError(415, "unsupported_media_type");
        var job = new StringContent("email\na@b.io\n");
        job.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("text/csv; charset=ebcdic-klingon");
        await (await client.PostAsync("/v1/jobs?channels=work_email", job)).ShouldBeError(415, "unsupported_media_type");
    }

    [DbFact]
    public async Task Imports_and_bulk_upserts_racing_on_the_same_new_people_make_one_contact_each()
    {
        // Each writer matches before it writes, so two of them could each find nobody and each create the person:
        // the identity claims decide, and a writer that lost one writes to the winner instead.
        const int people = 40, writers = 6, rounds = 5;
        for (var round = 0; round < rounds; round++)
        {
            var ws = await app.CreateWorkspaceAsync();
            using var client = ws.Client();
            var emails = Enumerable.Range(0, people).Select(i => $"racer{i}@round{round}.io").ToList();
            string Linkedin(string email) => $"https://www.linkedin.com/in/{email.Split('@')[0]}-{round}";
            var created = await Task.WhenAll(Enumerable.Range(0, writers).Select(async writer =>
            {
                // Different orders and different keys (email and LinkedIn, or LinkedIn alone), so that the writers'
                // claims overlap in every way.
                var order = writer % 2 == 0 ? emails : Enumerable.Reverse(emails).ToList();
                if (writer % 3 == 0)
                {
                    var bulk = await (await client.PostJson("/v1/contacts/bulk", new
                    {
                        contacts = order.Select(e => new { email = e, linkedin_url = Linkedin(e), job_title = $"Title {writer}" }),
                    })).ShouldBeOk();
                    return bulk.GetProperty("data").GetProperty("created").GetInt64();
                }
                var csv = writer % 3 == 1
                    ? "linkedin_url,job_title\n" + string.Concat(order.Select(e => $"{Linkedin(e)},Title {writer}\n"))
                    : "email,linkedin_url,job_title\n" + string.Concat(order.Select(e => $"{e},{Linkedin(e)},Title {writer}\n"));
                var report = (await (await client.PostAsync("/v1/contacts/import", new StringContent(csv, Encoding.UTF8, "text/csv"))).ShouldBeOk())
                    .GetProperty("data");
                return report.GetProperty("created").GetInt64();
            }));
            var total = (await (await client.GetAsync("/v1/contacts?per_page=1")).ShouldBeOk()).GetProperty("meta").GetProperty("total").GetInt64();
            total.ShouldBe(people, $"round {round}");
            created.Sum().ShouldBe(people, $"round {round}: each person is created once, by one writer");
        }
    }

    private static async Task<System.Text.Json.JsonElement> Import(HttpClient client, string csv)
    {
        var response = await client.PostAsync("/v1/contacts/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (await response.Json()).GetProperty("data");
    }
}

/// <summary>A CSV body generated while it is sent (chunked), so no test ever holds the whole file either.</summary>
public sealed class GeneratedCsvContent : HttpContent
{
    public const int Companies = 250;
    private readonly int _rows;

    public GeneratedCsvContent(int rows)
    {
        _rows = rows;
        Headers.ContentType = new MediaTypeHeaderValue("text/csv");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await writer.WriteLineAsync("email,first_name,last_name,company_domain,job_title");
        for (var i = 0; i < _rows; i++)
            await writer.WriteLineAsync($"person{i}@company{i % Companies}.example,First{i},Last{i},company{i % Companies}.example,Role {i % 17}");
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

public sealed class ContactImportTests_Sqlite(SqliteApp app) : ContactImportTests(app), IClassFixture<SqliteApp>;

public sealed class ContactImportTests_Postgres(PostgresApp app) : ContactImportTests(app), IClassFixture<PostgresApp>, IPostgresTests;
