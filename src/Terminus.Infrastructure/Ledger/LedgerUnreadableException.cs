namespace Terminus.Infrastructure.Ledger;

/// <summary>The ledger file exists but cannot be read (not a database, locked, damaged, no permission).</summary>
public sealed class LedgerUnreadableException(string path, Exception cause)
    : Exception($"cannot read the ledger {path}: {cause.Message}", cause);
