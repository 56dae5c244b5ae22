namespace Terminus.Core.Execution;

/// <summary>What an entry of <c>out/</c> is, from its mode's file type bits (never from following a link).</summary>
public enum OutputKind { Directory, File, Symlink, Socket, Fifo, CharDevice, BlockDevice, Unknown }
