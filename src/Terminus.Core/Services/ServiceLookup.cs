namespace Terminus.Core.Services;

public abstract record ServiceLookup;
