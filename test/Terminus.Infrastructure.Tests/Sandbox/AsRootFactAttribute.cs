using Terminus.Infrastructure.Containment;

namespace Terminus.Infrastructure.Tests.Sandbox;

/// <summary>A test that switches to another user (setpriv) or owns files for one: skipped, saying why, unless run as root (CI is).</summary>
public sealed class AsRootFactAttribute : FactAttribute
{
    public AsRootFactAttribute()
    {
        if (NativeCalls.EffectiveUid != 0) Skip = "needs root: it runs the sandbox as uid 65534 through setpriv";
    }
}
