using System.Net;

namespace Tributary.Core.Providers.Verification;

/// <summary>The <c>Tributary:Verification</c> configuration section (DESIGN §12).</summary>
public sealed class VerificationOptions : IValidatedOptions
{
    public static string Section => "Tributary:Verification";

    /// <summary>Look up the domain's MX (or address) records. Off: every well-formed, non-disposable address is unknown.</summary>
    public bool CheckMx { get; set; } = true;

    /// <summary>Ask the domain's mail server about the recipient (RCPT TO). Needs <see cref="CheckMx"/>.</summary>
    public bool SmtpProbe { get; set; }

    /// <summary>DNS servers as <c>ip</c> or <c>ip:port</c> (<c>[ipv6]:port</c>); empty uses the system's resolvers.</summary>
    public List<string> DnsServers { get; set; } = [];

    public int SmtpPort { get; set; } = 25;

    /// <summary>Limit of each network step: one DNS lookup, one TCP connect, one SMTP command and its reply.</summary>
    public int TimeoutMs { get; set; } = 3000;

    /// <summary>How many times a deferred (4xx) recipient is asked again, each in a new session.</summary>
    public int GreylistRetries { get; set; } = 2;

    public int GreylistDelayMs { get; set; } = 2000;

    /// <summary>The name given in EHLO/HELO.</summary>
    public string HeloName { get; set; } = "tributary.local";

    /// <summary>The envelope sender of probes; empty sends the null sender <c>&lt;&gt;</c>.</summary>
    public string ProbeFrom { get; set; } = "verify@tributary.local";

    /// <summary>Problems with the current values, each naming its key; empty when the options can be used.</summary>
    public IEnumerable<string> Validate()
    {
        var errors = new List<string>();
        foreach (var server in DnsServers)
            if (ParseDnsServer(server) is null)
                errors.Add($"{Section}:DnsServers: '{server}' is not an IP address or ip:port");
        if (SmtpPort is < 1 or > 65535)
            errors.Add($"{Section}:SmtpPort must be between 1 and 65535");
        if (TimeoutMs is < 1 or > 600_000)
            errors.Add($"{Section}:TimeoutMs must be between 1 and 600000");
        if (GreylistRetries is < 0 or > 10)
            errors.Add($"{Section}:GreylistRetries must be between 0 and 10");
        if (GreylistDelayMs is < 0 or > 600_000)
            errors.Add($"{Section}:GreylistDelayMs must be between 0 and 600000");
        if (string.IsNullOrWhiteSpace(HeloName) || !HeloName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '[' or ']' or ':'))
            errors.Add($"{Section}:HeloName must be a host name or an address literal");
        if (ProbeFrom.Length > 0 && !EmailSyntax.TryParse(ProbeFrom, out _))
            errors.Add($"{Section}:ProbeFrom must be an email address or empty");
        if (SmtpProbe && !CheckMx)
            errors.Add($"{Section}:SmtpProbe needs {Section}:CheckMx, which finds the mail servers to probe");
        return errors;
    }

    internal IReadOnlyList<IPEndPoint> DnsEndPoints() =>
        DnsServers.Select(s => ParseDnsServer(s) ?? throw new FormatException($"Bad DNS server '{s}'")).ToList();

    private static IPEndPoint? ParseDnsServer(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || !IPEndPoint.TryParse(value.Trim(), out var endPoint)) return null;
        return endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, 53) : endPoint;
    }
}
