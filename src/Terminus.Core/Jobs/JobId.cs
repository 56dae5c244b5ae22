namespace Terminus.Core.Jobs;

/// <summary>The portal's job id: a non-negative integer, echoed back in every status.</summary>
public readonly record struct JobId(long Value)
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
