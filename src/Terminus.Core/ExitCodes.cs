namespace Terminus.Core;

/// <summary>
/// The exit codes of the daemon and of the <c>terminus</c> command, from sysexits.h, so that scripts and systemd can
/// tell the failures apart (the units never restart the daemon after <see cref="Config"/> or <see cref="TempFail"/>).
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Something the command checked is wrong (a failed check, a problem reported per item).</summary>
    public const int Failure = 1;
    /// <summary>EX_USAGE: the command line makes no sense.</summary>
    public const int Usage = 64;
    /// <summary>EX_UNAVAILABLE: a program the command needs (the daemon's binary) cannot be found.</summary>
    public const int Unavailable = 69;
    /// <summary>EX_CANTCREAT: a file or directory cannot be created (or is in the way).</summary>
    public const int CantCreate = 73;
    /// <summary>EX_IOERR: a file cannot be read or written.</summary>
    public const int IoError = 74;
    /// <summary>EX_TEMPFAIL: another daemon runs on the same ledger; this one did nothing.</summary>
    public const int TempFail = 75;
    /// <summary>EX_CONFIG: the configuration is incomplete or wrong; restarting cannot fix it.</summary>
    public const int Config = 78;
}
