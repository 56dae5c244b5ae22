namespace Terminus.Config.Cli;

/// <summary>The input ended (Ctrl-D) or was interrupted: nothing is written.</summary>
public sealed class CancelledException : Exception
{
    public CancelledException() : base("cancelled") { }
}
