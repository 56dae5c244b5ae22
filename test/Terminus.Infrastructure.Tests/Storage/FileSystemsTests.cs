using Terminus.Infrastructure.Storage;

namespace Terminus.Infrastructure.Tests.Storage;

public sealed class FileSystemsTests
{
    [Fact]
    public void The_space_of_a_file_system_is_read_and_a_missing_path_has_none()
    {
        var space = FileSystems.SpaceOf(Path.GetTempPath())!;
        Assert.InRange(space.FreeBytes, 1, space.TotalBytes);
        Assert.Null(FileSystems.SpaceOf("/no/such/directory"));
    }

    [Fact]
    public void A_directory_that_cannot_be_listed_says_why()
    {
        Assert.Null(FileSystems.ListingError(Path.GetTempPath()));
        Assert.NotNull(FileSystems.ListingError("/no/such/directory"));
    }
}
