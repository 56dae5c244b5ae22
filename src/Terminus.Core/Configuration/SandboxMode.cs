namespace Terminus.Core.Configuration;

/// <summary>
/// <c>TERMINUS_SANDBOX</c>: whether local jobs run inside bubblewrap (<c>bwrap</c>). <c>auto</c> sandboxes them when
/// bwrap works here, else runs them as before and says why; <c>on</c> requires it (the daemon refuses to start
/// without); <c>off</c> never sandboxes.
/// </summary>
public enum SandboxMode { Auto, On, Off }
