namespace Terminus.Core.Services;

public sealed record ServiceFound(ServiceDefinition Service) : ServiceLookup;
