namespace Terminus.Core.Execution;

public enum OutputKind { Directory, File, Symlink }
