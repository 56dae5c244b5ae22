namespace Terminus.Core.Jobs;

public abstract record JobValidation;
