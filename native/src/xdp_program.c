/*
 * The XDP steering program (bpf/m13_steer.bpf.c) loaded with libbpf and attached
 * through a bpf_link. Binds org.m13.sys.XdpProgram.
 *
 * Crash safety: the link lives as long as its file descriptor, so a daemon killed
 * with SIGKILL leaves no program behind. A stale m13_steer attached the classic
 * (netlink) way, which would make the link attach fail with EBUSY, is detached at
 * start-up; any other program on the interface is left alone and reported.
 *
 * Interface names resolve in the calling thread's network namespace.
 */
#include "m13_jni.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGRAM_NAME "m13_steer"
#define COUNTERS 3

/* Keep in sync with org.m13.sys.XdpProgram.Mode. */
enum { MODE_AUTO = 0, MODE_NATIVE = 1, MODE_GENERIC = 2 };

typedef struct {
    struct bpf_object *object;
    int link_fd;
    int ifindex;
    int mode;
    int xsks_fd;
    int counters_fd;
    __u32 program_id;
} xdp_program;

static void free_program(xdp_program *p)
{
    if (p == NULL) {
        return;
    }
    if (p->link_fd >= 0) {
        close(p->link_fd);
    }
    if (p->object != NULL) {
        bpf_object__close(p->object);
    }
    free(p);
}

static int resolve_ifindex(JNIEnv *env, jstring ifname)
{
    const char *name = (*env)->GetStringUTFChars(env, ifname, NULL);
    if (name == NULL) {
        return -1;
    }
    unsigned int ifindex = if_nametoindex(name);
    int err = errno;
    if (ifindex == 0) {
        char operation[64];
        snprintf(operation, sizeof operation, "if_nametoindex(%s)", name);
        m13_throw_errno(env, operation, err);
    }
    (*env)->ReleaseStringUTFChars(env, ifname, name);
    return ifindex == 0 ? -1 : (int)ifindex;
}

/* The name of program `id`, or "" when it cannot be read. */
static void program_name(__u32 id, char out[BPF_OBJ_NAME_LEN])
{
    out[0] = '\0';
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) {
        return;
    }
    struct bpf_prog_info info;
    memset(&info, 0, sizeof info);
    __u32 length = sizeof info;
    if (bpf_obj_get_info_by_fd(fd, &info, &length) == 0) {
        memcpy(out, info.name, BPF_OBJ_NAME_LEN);
        out[BPF_OBJ_NAME_LEN - 1] = '\0';
    }
    close(fd);
}

/* Detaches a classic (netlink) attachment of a stale m13_steer; 1 if one was removed. */
static int detach_stale(int ifindex)
{
    static const __u32 modes[] = {XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE, XDP_FLAGS_HW_MODE};
    int removed = 0;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        __u32 id = 0;
        if (bpf_xdp_query_id(ifindex, (int)modes[i], &id) != 0 || id == 0) {
            continue;
        }
        char name[BPF_OBJ_NAME_LEN];
        program_name(id, name);
        /* Fails with EBUSY when a live link holds the program: then it is not stale. */
        if (strcmp(name, PROGRAM_NAME) == 0 && bpf_xdp_detach(ifindex, modes[i], NULL) == 0) {
            fprintf(stderr, "m13: detached stale XDP program %s (id %u) from ifindex %d\n", name, id,
                    ifindex);
            removed = 1;
        }
    }
    return removed;
}

static int attach_link(int prog_fd, int ifindex, __u32 flags)
{
    LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
    int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
    return fd < 0 ? -errno : fd;
}

static jlong program_attach(JNIEnv *env, jclass cls, jstring object_path, jstring ifname, jint port,
                            jint mode)
{
    (void)cls;
    int ifindex = resolve_ifindex(env, ifname);
    if (ifindex < 0) {
        return 0;
    }
    xdp_program *p = calloc(1, sizeof *p);
    if (p == NULL) {
        m13_throw_errno(env, "XdpProgram.attach: calloc", ENOMEM);
        return 0;
    }
    p->link_fd = -1;
    p->ifindex = ifindex;

    const char *path = (*env)->GetStringUTFChars(env, object_path, NULL);
    if (path == NULL) {
        free_program(p);
        return 0;
    }
    p->object = bpf_object__open_file(path, NULL);
    int err = p->object == NULL ? errno : 0;
    char operation[320];
    snprintf(operation, sizeof operation, "bpf_object__open_file(%s)", path);
    (*env)->ReleaseStringUTFChars(env, object_path, path);
    if (p->object == NULL) {
        free_program(p);
        m13_throw_errno(env, operation, err);
        return 0;
    }
    err = -bpf_object__load(p->object);
    if (err != 0) {
        free_program(p);
        m13_throw_errno(env, "bpf_object__load(" PROGRAM_NAME ")", err);
        return 0;
    }
    struct bpf_program *program = bpf_object__find_program_by_name(p->object, PROGRAM_NAME);
    struct bpf_map *xsks = bpf_object__find_map_by_name(p->object, "m13_xsks");
    struct bpf_map *config = bpf_object__find_map_by_name(p->object, "m13_config");
    struct bpf_map *counters = bpf_object__find_map_by_name(p->object, "m13_counters");
    if (program == NULL || xsks == NULL || config == NULL || counters == NULL) {
        free_program(p);
        m13_throw(env, "XdpProgram.attach", "object lacks m13_steer or one of its maps");
        return 0;
    }
    p->xsks_fd = bpf_map__fd(xsks);
    p->counters_fd = bpf_map__fd(counters);
    __u32 key = 0;
    __u32 value = (__u32)port;
    if (bpf_map_update_elem(bpf_map__fd(config), &key, &value, BPF_ANY) != 0) {
        err = errno;
        free_program(p);
        m13_throw_errno(env, "bpf_map_update_elem(m13_config)", err);
        return 0;
    }
    int prog_fd = bpf_program__fd(program);
    struct bpf_prog_info info;
    memset(&info, 0, sizeof info);
    __u32 info_length = sizeof info;
    if (bpf_obj_get_info_by_fd(prog_fd, &info, &info_length) == 0) {
        p->program_id = info.id;
    }

    static const __u32 native_first[] = {XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE};
    const __u32 *modes = mode == MODE_GENERIC ? native_first + 1 : native_first;
    int mode_count = mode == MODE_AUTO ? 2 : 1;
    int rc = -EINVAL;
    for (int i = 0; i < mode_count; i++) {
        rc = attach_link(prog_fd, ifindex, modes[i]);
        if ((rc == -EBUSY || rc == -EEXIST) && detach_stale(ifindex)) {
            rc = attach_link(prog_fd, ifindex, modes[i]);
        }
        if (rc >= 0) {
            p->mode = modes[i] == XDP_FLAGS_DRV_MODE ? MODE_NATIVE : MODE_GENERIC;
            break;
        }
        if (rc == -EBUSY || rc == -EEXIST) {
            break; /* another live program owns the interface: the other mode is no way out */
        }
    }
    if (rc < 0) {
        free_program(p);
        char occupant[BPF_OBJ_NAME_LEN + 48] = "";
        __u32 id = 0;
        if ((rc == -EBUSY || rc == -EEXIST) && bpf_xdp_query_id(ifindex, 0, &id) == 0 && id != 0) {
            char name[BPF_OBJ_NAME_LEN];
            program_name(id, name);
            snprintf(occupant, sizeof occupant, "; attached: program %u %s", id, name);
        }
        snprintf(operation, sizeof operation, "bpf_link_create(XDP, ifindex %d, %s)", ifindex,
                 mode == MODE_NATIVE ? "native" : mode == MODE_GENERIC ? "generic" : "native, then generic");
        char detail[320];
        snprintf(detail, sizeof detail, "%s (errno %d)%s", strerror(-rc), -rc, occupant);
        m13_throw(env, operation, detail);
        return 0;
    }
    p->link_fd = rc;
    return (jlong)(uintptr_t)p;
}

static jint program_mode(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    return ((xdp_program *)(uintptr_t)handle)->mode;
}

static jint program_ifindex(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    return ((xdp_program *)(uintptr_t)handle)->ifindex;
}

static jint program_id(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    return (jint)((xdp_program *)(uintptr_t)handle)->program_id;
}

static jint program_xsks_fd(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    return ((xdp_program *)(uintptr_t)handle)->xsks_fd;
}

/* Sums the per-CPU counters into out[0..COUNTERS). */
static void program_counters(JNIEnv *env, jclass cls, jlong handle, jlongArray out)
{
    (void)cls;
    xdp_program *p = (xdp_program *)(uintptr_t)handle;
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) {
        m13_throw_errno(env, "libbpf_num_possible_cpus", -cpus);
        return;
    }
    __u64 *values = calloc((size_t)cpus, sizeof *values);
    if (values == NULL) {
        m13_throw_errno(env, "XdpProgram.counters: calloc", ENOMEM);
        return;
    }
    jlong sums[COUNTERS] = {0};
    for (__u32 key = 0; key < COUNTERS; key++) {
        if (bpf_map_lookup_elem(p->counters_fd, &key, values) != 0) {
            int err = errno;
            free(values);
            m13_throw_errno(env, "bpf_map_lookup_elem(m13_counters)", err);
            return;
        }
        for (int cpu = 0; cpu < cpus; cpu++) {
            sums[key] += (jlong)values[cpu];
        }
    }
    free(values);
    (*env)->SetLongArrayRegion(env, out, 0, COUNTERS, sums);
}

static void program_close(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    free_program((xdp_program *)(uintptr_t)handle);
}

/* The id of the XDP program attached to ifname in any mode, or 0. */
static jint program_attached_id(JNIEnv *env, jclass cls, jstring ifname)
{
    (void)cls;
    int ifindex = resolve_ifindex(env, ifname);
    if (ifindex < 0) {
        return -1;
    }
    LIBBPF_OPTS(bpf_xdp_query_opts, opts);
    if (bpf_xdp_query(ifindex, 0, &opts) != 0) {
        m13_throw_errno(env, "bpf_xdp_query", errno);
        return -1;
    }
    __u32 id = opts.prog_id != 0 ? opts.prog_id
               : opts.drv_prog_id != 0 ? opts.drv_prog_id
               : opts.skb_prog_id;
    return (jint)id;
}

static const JNINativeMethod xdp_program_methods[] = {
    {"attach0", "(Ljava/lang/String;Ljava/lang/String;II)J", (void *)program_attach},
    {"mode0", "(J)I", (void *)program_mode},
    {"ifindex0", "(J)I", (void *)program_ifindex},
    {"programId0", "(J)I", (void *)program_id},
    {"xskMapFd0", "(J)I", (void *)program_xsks_fd},
    {"counters0", "(J[J)V", (void *)program_counters},
    {"close0", "(J)V", (void *)program_close},
    {"attachedProgramId0", "(Ljava/lang/String;)I", (void *)program_attached_id},
};

jint m13_register_xdp_program(JNIEnv *env)
{
    return m13_register(env, "org/m13/sys/XdpProgram", xdp_program_methods,
                        M13_COUNT(xdp_program_methods));
}
