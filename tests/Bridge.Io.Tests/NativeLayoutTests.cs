using Bridge.Io.AfPacket;

namespace Bridge.Io.Tests;

public sealed unsafe class NativeLayoutTests
{
    [Fact]
    public void Structures_match_the_linux_x64_abi()
    {
        Assert.Equal(32, sizeof(Native.Tpacket2Hdr));
        Assert.Equal(48, sizeof(Native.Tpacket3Hdr));
        Assert.Equal(20, sizeof(Native.SockaddrLl));
        Assert.Equal(16, sizeof(Native.PacketMreq));
        Assert.Equal(28, sizeof(Native.TpacketReq3));
        Assert.Equal(64, sizeof(Native.MMsgHdr));
        Assert.Equal(40, sizeof(Native.IfReq));
        Assert.Equal(48, sizeof(Native.TpacketBlockDesc));
    }
}
