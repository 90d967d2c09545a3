namespace Tributary.Core;

/// <summary>A configuration value that cannot work; the message names the key. The server stops with it at start-up.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
