namespace Terminus.Core.Operator;

public enum LinkState { Create, Unchanged, Changed, BlockedByRealEntry, TargetMissing }
