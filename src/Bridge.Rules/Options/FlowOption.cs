using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// <c>flow:to_server,established</c> and friends. Direction comes from the flow (the initiator is
/// the client); "established" is the TCP handshake completed, and for UDP/ICMP a flow that has
/// seen a packet before this one. Bridge does no stream reassembly, so every packet is a
/// <c>no_stream</c> packet and <c>only_stream</c> rules are rejected.
/// </summary>
internal sealed class FlowOption : TestOption
{
    public bool ToServer { get; private set; }
    public bool ToClient { get; private set; }
    public bool Established { get; private set; }
    public bool NotEstablished { get; private set; }

    public override bool Test(ref Evaluation e)
    {
        if (Established && !e.Established) return false;
        if (NotEstablished && e.Established) return false;
        if (ToServer && !(e.HasFlow && e.ToServer)) return false;
        if (ToClient && !(e.HasFlow && !e.ToServer)) return false;
        return true;
    }

    public static void Parse(string value, RuleBuilder b)
    {
        var f = new FlowOption();
        foreach (string arg in OptionText.SplitArgs(value))
        {
            switch (arg)
            {
                case "to_server" or "from_client": f.ToServer = true; break;
                case "to_client" or "from_server": f.ToClient = true; break;
                case "established": f.Established = true; break;
                case "not_established": f.NotEstablished = true; break;
                case "stateless" or "no_stream" or "no_frag": break;
                case "only_stream": throw new RuleRejectedException("flow:only_stream needs stream reassembly");
                case "only_frag": throw new RuleRejectedException("flow:only_frag needs IP reassembly");
                default: throw new RuleRejectedException("bad flow argument", arg);
            }
        }
        if (f.ToServer && f.ToClient) throw new RuleRejectedException("flow both to_server and to_client");
        b.Flow = f;
        b.Add(f);
    }
}
