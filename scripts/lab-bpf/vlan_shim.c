// tc-BPF shim that gives an untagged host an 802.1Q wire: the kernel here has neither the 8021q
// module nor the tc vlan action. Built by scripts/lab-topology; attached with clsact on host A's
// veth: vlan_push on egress, vlan_pop on ingress. The helpers are declared by number so that no
// libbpf headers are needed.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#define SEC(name) __attribute__((section(name), used))

#ifndef VLAN_ID
#define VLAN_ID 1577
#endif

#define VLAN_VID_MASK 0x0fff

static long (*bpf_skb_vlan_push)(struct __sk_buff *skb, __be16 proto, __u16 vlan_tci) =
	(void *)BPF_FUNC_skb_vlan_push;
static long (*bpf_skb_vlan_pop)(struct __sk_buff *skb) = (void *)BPF_FUNC_skb_vlan_pop;

// Egress: tag every frame the host sends (PCP 0). A frame that already carries a tag is left
// alone so a test can still send its own tagged frames through the shim.
SEC("vlan_push")
int push_tag(struct __sk_buff *skb)
{
	if (skb->vlan_present)
		return TC_ACT_OK;
	if (bpf_skb_vlan_push(skb, __builtin_bswap16(ETH_P_8021Q), VLAN_ID) != 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

// Ingress: the receive path has already moved the outer tag into skb metadata; remove it when
// it is ours so the host stack sees an untagged frame. Other VLANs stay tagged and the stack
// ignores them, as a host without that VLAN interface would.
SEC("vlan_pop")
int pop_tag(struct __sk_buff *skb)
{
	if (skb->vlan_present && skb->vlan_proto == __builtin_bswap16(ETH_P_8021Q) &&
	    (skb->vlan_tci & VLAN_VID_MASK) == VLAN_ID)
		bpf_skb_vlan_pop(skb);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
