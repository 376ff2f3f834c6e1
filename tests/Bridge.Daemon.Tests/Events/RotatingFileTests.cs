using Bridge.Daemon.Events;

namespace Bridge.Daemon.Tests.Events;

public sealed class RotatingFileTests
{
    [Fact]
    public void Rotates_by_size_keeping_the_newest_files()
    {
        string dir = Directory.CreateTempSubdirectory("bridge-rotate-").FullName;
        try
        {
            string path = Path.Combine(dir, "alert_fast.txt");
            using (var file = new RotatingFile(path, maxBytes: 100, keep: 2))
            {
                // 30-byte lines: three fit in 100 bytes, the fourth starts a new file.
                for (int i = 0; i < 10; i++) file.WriteLine($"line {i:D2} " + new string('x', 20));
                Assert.Equal(10, file.Lines);
            }
            Assert.Equal(["line 09"], File.ReadAllLines(path).Select(l => l[..7]));
            Assert.Equal(["line 06", "line 07", "line 08"], File.ReadAllLines(path + ".1").Select(l => l[..7]));
            Assert.Equal(["line 03", "line 04", "line 05"], File.ReadAllLines(path + ".2").Select(l => l[..7]));
            Assert.False(File.Exists(path + ".3"));

            // A restart appends to the current file and counts its size.
            using (var again = new RotatingFile(path, maxBytes: 100, keep: 2))
            {
                again.WriteLine("line 10 " + new string('x', 20));
            }
            Assert.Equal(["line 09", "line 10"], File.ReadAllLines(path).Select(l => l[..7]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
