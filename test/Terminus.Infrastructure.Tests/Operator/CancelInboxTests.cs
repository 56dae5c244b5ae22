using Terminus.Core.Jobs;
using Terminus.Infrastructure.Operator;

namespace Terminus.Infrastructure.Tests.Operator;

public sealed class CancelInboxTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terminus-inbox-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_note_is_left_in_a_private_directory_made_for_it_and_a_later_one_for_the_same_job_replaces_it()
    {
        var inbox = new CancelInbox(Path.Combine(_root, "cancels"));
        Assert.Empty(inbox.Waiting()); // no directory yet

        var note = inbox.Leave(new JobId(4242), "first");
        Assert.Equal(Path.Combine(_root, "cancels", "4242.cancel"), note);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(inbox.Directory));
        inbox.Leave(new JobId(4242), "second");

        Assert.Equal([note], inbox.Waiting());
        Assert.Equal(new CancelRequest(new JobId(4242), CancelledBy.Operator, "second"),
            Assert.IsType<CancelBinding.Usable>(CancelNote.Read(File.ReadAllText(note))).Request);
        Assert.Equal(["4242.cancel"], Directory.GetFiles(inbox.Directory).Select(Path.GetFileName)); // no temporary file left
    }

    [Fact]
    public void Only_notes_wait_oldest_first_and_a_note_set_aside_waits_no_more()
    {
        var inbox = new CancelInbox(_root);
        var newer = inbox.Leave(new JobId(2), null);
        var older = inbox.Leave(new JobId(1), null);
        File.SetLastWriteTimeUtc(older, DateTime.UtcNow.AddMinutes(-1));
        File.WriteAllText(Path.Combine(_root, ".3.cancel.0123.tmp"), "{}"); // one being written
        File.WriteAllText(Path.Combine(_root, "notes.txt"), "");

        Assert.Equal([older, newer], inbox.Waiting());
        CancelInbox.SetAside(newer);
        Assert.Equal([older], inbox.Waiting());
        Assert.True(File.Exists(newer + ".bad"));
    }
}
