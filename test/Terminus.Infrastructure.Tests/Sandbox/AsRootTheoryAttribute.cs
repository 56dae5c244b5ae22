using Terminus.Infrastructure.Containment;

namespace Terminus.Infrastructure.Tests.Sandbox;

/// <summary>The theory form of <see cref="AsRootFactAttribute"/>.</summary>
public sealed class AsRootTheoryAttribute : TheoryAttribute
{
    public AsRootTheoryAttribute()
    {
        if (NativeCalls.EffectiveUid != 0) Skip = "needs root: it runs bwrap as root, or as uid 65534 through setpriv";
    }
}
