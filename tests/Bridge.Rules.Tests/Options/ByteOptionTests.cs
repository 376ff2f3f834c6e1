using Bridge.Rules.Tests.Support;

namespace Bridge.Rules.Tests.Options;

public class ByteOptionTests
{
    private static readonly byte[] Payload = [0x00, 0x10, 0x01, 0x02, (byte)'1', (byte)'2', (byte)'f', 0x00, (byte)'E', (byte)'N', (byte)'D'];

    [Theory]
    [InlineData("byte_test:2,=,16,0", true)]
    [InlineData("byte_test:2,>,15,0", true)]
    [InlineData("byte_test:2,<,16,0", false)]
    [InlineData("byte_test:2,!,16,0", false)]
    [InlineData("byte_test:2,!=,17,0", true)]
    [InlineData("byte_test:2,=,0x0201,2,little", true)]
    [InlineData("byte_test:2,=,12,4,string,dec", true)]
    [InlineData("byte_test:1,=,15,6,string,hex", true)]
    [InlineData("byte_test:1,&,0x10,1", true)]
    [InlineData("byte_test:1,&,0x01,1", false)]
    [InlineData("byte_test:1,^,0x10,1", false)]
    [InlineData("byte_test:2,=,1,0,bitmask 0x00F0", true)]
    [InlineData("byte_test:4,>,0,9", false)]
    public void ByteTest(string options, bool expected) => Assert.Equal(expected, Engine.MatchesBytes(options, Payload));

    [Fact]
    public void ByteTestRelative() =>
        Assert.True(Engine.MatchesBytes("content:\"|10|\"; byte_test:1,=,1,0,relative", Payload));

    [Theory]
    // Jump over 2 + value bytes: offset 2 reads 0x01, cursor = 2 + 1 + 1 = 4, where "12" starts.
    [InlineData("byte_jump:1,2; content:\"12\"; within:2", true)]
    [InlineData("byte_jump:1,2,post_offset 1; content:\"2f\"; within:2", true)]
    [InlineData("byte_jump:1,2,multiplier 2; content:\"2f\"; within:2", true)]
    [InlineData("byte_jump:1,2,from_beginning; content:\"|10|\"; within:1", true)]
    [InlineData("byte_jump:2,0; content:\"END\"", false)]
    public void ByteJump(string options, bool expected) => Assert.Equal(expected, Engine.MatchesBytes(options, Payload));

    [Theory]
    // Extract 0x02 at offset 3 and use it as an offset and as a value.
    [InlineData("byte_extract:1,3,len; content:\"|01|\"; offset:len; depth:1", true)]
    [InlineData("byte_extract:1,3,len; byte_test:1,=,len,3", true)]
    [InlineData("byte_extract:1,3,len; byte_test:1,=,len,2", false)]
    [InlineData("byte_extract:1,3,len; content:\"12\"; distance:0; within:len", true)]
    [InlineData("byte_extract:1,2,len,multiplier 4; content:\"EN\"; offset:len; depth:2", false)]
    public void ByteExtract(string options, bool expected) => Assert.Equal(expected, Engine.MatchesBytes(options, Payload));

    [Theory]
    [InlineData("isdataat:10", true)]
    [InlineData("isdataat:11", false)]
    [InlineData("isdataat:!11", true)]
    [InlineData("content:\"E\"; isdataat:1,relative", true)]
    [InlineData("content:\"E\"; isdataat:2,relative", false)]
    public void Isdataat(string options, bool expected) => Assert.Equal(expected, Engine.MatchesBytes(options, Payload));

    [Fact]
    public void DceIsRefused()
    {
        var set = RuleSet.FromText("alert tcp any any -> any any (byte_test:4,>,1,0,relative,dce; sid:3;)");
        Assert.Equal("byte_* dce needs the DCE/RPC preprocessor", Assert.Single(set.Report.Rejections).Reason);
    }
}
