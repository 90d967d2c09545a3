namespace Tributary.Core;

/// <summary>
/// An options class bound from one configuration section (DESIGN §12) and checked at start-up. The server binds and
/// validates every one of them the same way, and derives the set of known configuration keys from their properties.
/// </summary>
public interface IValidatedOptions
{
    /// <summary>The full path of the section the class is bound to, e.g. <c>Tributary:Jobs</c>.</summary>
    static abstract string Section { get; }

    /// <summary>Problems with the bound values, each naming its full key; empty when the options can be used.</summary>
    IEnumerable<string> Validate();
}
