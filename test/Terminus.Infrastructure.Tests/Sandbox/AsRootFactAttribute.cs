using Terminus.Infrastructure.Containment;

namespace Terminus.Infrastructure.Tests.Sandbox;

/// <summary>A test that needs root (CI runs as root): bwrap without a user namespace, or setpriv to uid 65534; skipped otherwise, saying why.</summary>
public sealed class AsRootFactAttribute : FactAttribute
{
    public AsRootFactAttribute()
    {
        if (NativeCalls.EffectiveUid != 0) Skip = "needs root: it runs bwrap as root, or as uid 65534 through setpriv";
    }
}
