using Terminus.Core.Execution;

namespace Terminus.Infrastructure.Storage;

/// <summary>
/// What statx said of an entry (never of a link's target): its kind, permission bits, number of names, size and
/// modification time, all the packaging rules and the tar header need.
/// </summary>
public readonly record struct FileStatus(OutputKind Kind, uint Permissions, uint Links, long Size, long ModifiedSeconds);
