namespace Terminus.Core.Services;

public enum ServiceType { Python, Bash }
