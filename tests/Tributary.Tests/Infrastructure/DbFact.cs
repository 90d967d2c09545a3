using Xunit.Abstractions;
using Xunit.Sdk;

namespace Tributary.Tests.Infrastructure;

/// <summary>Marks a test class that runs against PostgreSQL; its [DbFact] tests skip when no PostgreSQL is configured.</summary>
public interface IPostgresTests;

/// <summary>
/// A fact that runs once per database variant of its class. Shared tests live in an abstract class; a Sqlite and a
/// Postgres subclass each run them, and the Postgres ones skip with a reason when PostgreSQL is not available.
/// </summary>
[XunitTestCaseDiscoverer("Tributary.Tests.Infrastructure.DbFactDiscoverer", "Tributary.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DbFactAttribute : FactAttribute;

public sealed class DbFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    private static int _reported;

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod method, IAttributeInfo attribute)
    {
        // Said once, as a diagnostic message (xunit.runner.json shows them), so that plain `dotnet test` output gives
        // the reason for the skipped PostgreSQL tests and how to run them.
        if (PostgresAvailability.SkipReason is { } reason && Interlocked.Exchange(ref _reported, 1) == 0)
            diagnostics.OnMessage(new DiagnosticMessage(reason));
        yield return new DbTestCase(diagnostics, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), method);
    }
}

public sealed class DbTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public DbTestCase() { }

    public DbTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod method)
        : base(sink, display, displayOptions, method) { }

    protected override string? GetSkipReason(IAttributeInfo factAttribute)
    {
        var type = TestMethod.TestClass.Class.ToRuntimeType();
        return typeof(IPostgresTests).IsAssignableFrom(type) ? PostgresAvailability.SkipReason : base.GetSkipReason(factAttribute);
    }
}
