namespace Terminus.Config.Cli;

/// <summary>The current user's name and primary group name, from /etc/passwd and /etc/group.</summary>
public static class UnixAccounts
{
    public static (string User, string Group) Current()
    {
        var user = Environment.UserName;
        try
        {
            var gid = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 3 && f[0] == user)?[3];
            var group = gid is null ? null : File.ReadLines("/etc/group").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 2 && f[2] == gid)?[0];
            return (user, group ?? user);
        }
        catch (IOException) { return (user, user); }
    }
}
