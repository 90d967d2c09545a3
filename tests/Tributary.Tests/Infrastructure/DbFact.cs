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

    public DbTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod method,
        object[]? arguments = null)
        : base(sink, display, displayOptions, method, arguments) { }

    protected override string? GetSkipReason(IAttributeInfo factAttribute)
    {
        var type = TestMethod.TestClass.Class.ToRuntimeType();
        return typeof(IPostgresTests).IsAssignableFrom(type) ? PostgresAvailability.SkipReason : base.GetSkipReason(factAttribute);
    }
}

/// <summary>A theory that runs once per database variant of its class, as <see cref="DbFactAttribute"/> does for a fact.</summary>
[XunitTestCaseDiscoverer("Tributary.Tests.Infrastructure.DbTheoryDiscoverer", "Tributary.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DbTheoryAttribute : TheoryAttribute;

public sealed class DbTheoryDiscoverer(IMessageSink diagnostics) : TheoryDiscoverer(diagnostics)
{
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForDataRow(ITestFrameworkDiscoveryOptions options, ITestMethod method,
        IAttributeInfo theory, object[] dataRow) =>
        [new DbTestCase(DiagnosticMessageSink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), method, dataRow)];

    protected override IEnumerable<IXunitTestCase> CreateTestCasesForTheory(ITestFrameworkDiscoveryOptions options, ITestMethod method,
        IAttributeInfo theory) =>
        [new DbTheoryTestCase(DiagnosticMessageSink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), method)];
}

/// <summary>A theory whose data could not be enumerated at discovery, run as one case; skipped as <see cref="DbTestCase"/> is.</summary>
public sealed class DbTheoryTestCase : XunitTheoryTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public DbTheoryTestCase() { }

    public DbTheoryTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod method)
        : base(sink, display, displayOptions, method) { }

    protected override string? GetSkipReason(IAttributeInfo factAttribute) =>
        typeof(IPostgresTests).IsAssignableFrom(TestMethod.TestClass.Class.ToRuntimeType()) ? PostgresAvailability.SkipReason : base.GetSkipReason(factAttribute);
}
