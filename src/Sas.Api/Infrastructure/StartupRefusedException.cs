namespace Sas.Api.Infrastructure;

/// <summary>
/// The configuration cannot be served safely, or the database cannot be prepared: the process says why in one line
/// and ends with exit code 1 (Program.cs), instead of an unhandled exception and SIGABRT.
/// </summary>
public sealed class StartupRefusedException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
