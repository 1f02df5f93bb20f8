/*
 * XDP steering program for the M13 hub (loaded by org.m13.sys.XdpProgram).
 *
 * To the AF_XDP socket of the receiving queue (m13_xsks[rx_queue_index]):
 *   - Ethernet frames with EtherType 0x88B5 (M13 over raw Ethernet);
 *   - unfragmented IPv4 UDP datagrams to the configured port (m13_config[0],
 *     written by the loader before attach; 443 by default).
 * Everything else, and everything when no socket is bound on that queue, goes to
 * the kernel (XDP_PASS): ARP, ICMP, SSH and IP fragments keep working.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_M13 0x88B5
#define IP_FRAGMENT_MASK 0x3FFF /* MF flag and fragment offset */
#define MAX_QUEUES 64

/* Keep in sync with org.m13.sys.XdpProgram.Counter. */
enum {
    COUNTER_ETHERTYPE = 0,
    COUNTER_UDP = 1,
    COUNTER_PASS = 2,
    COUNTERS = 3,
};

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, MAX_QUEUES);
    __type(key, __u32);
    __type(value, __u32);
} m13_xsks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32); /* UDP port, host byte order */
} m13_config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, COUNTERS);
    __type(key, __u32);
    __type(value, __u64);
} m13_counters SEC(".maps");

static __always_inline int count(__u32 counter, int action)
{
    __u64 *value = bpf_map_lookup_elem(&m13_counters, &counter);
    if (value != NULL) {
        *value += 1;
    }
    return action;
}

static __always_inline int to_socket(struct xdp_md *ctx, __u32 counter)
{
    /* No socket on this queue: the lower bits of flags are the fallback action. */
    int action = (int)bpf_redirect_map(&m13_xsks, ctx->rx_queue_index, XDP_PASS);
    return count(action == XDP_REDIRECT ? counter : COUNTER_PASS, action);
}

SEC("xdp")
int m13_steer(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;

    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) {
        return count(COUNTER_PASS, XDP_PASS);
    }
    if (eth->h_proto == bpf_htons(ETH_P_M13)) {
        return to_socket(ctx, COUNTER_ETHERTYPE);
    }
    if (eth->h_proto != bpf_htons(ETH_P_IP)) {
        return count(COUNTER_PASS, XDP_PASS);
    }
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP || ip->ihl < 5
        || (ip->frag_off & bpf_htons(IP_FRAGMENT_MASK)) != 0) {
        return count(COUNTER_PASS, XDP_PASS);
    }
    struct udphdr *udp = (void *)ip + ip->ihl * 4;
    if ((void *)(udp + 1) > end) {
        return count(COUNTER_PASS, XDP_PASS);
    }
    __u32 key = 0;
    __u32 *port = bpf_map_lookup_elem(&m13_config, &key);
    if (port == NULL || udp->dest != bpf_htons((__u16)*port)) {
        return count(COUNTER_PASS, XDP_PASS);
    }
    return to_socket(ctx, COUNTER_UDP);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
