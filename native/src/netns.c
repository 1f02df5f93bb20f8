/*
 * Network namespaces for the calling thread. Binds org.m13.sys.Netns.
 *
 * setns(CLONE_NEWNET) moves only the calling thread: sockets, TUN devices and
 * AF_XDP sockets it opens afterwards belong to that namespace and stay there when
 * used from any other thread.
 */
#define _GNU_SOURCE
#include "m13_jni.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

static void netns_enter(JNIEnv *env, jclass cls, jstring path)
{
    (void)cls;
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    if (p == NULL) {
        return;
    }
    char operation[320];
    snprintf(operation, sizeof operation, "setns(%s)", p);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    int err = 0;
    if (fd < 0) {
        err = errno;
        snprintf(operation, sizeof operation, "open(%s)", p);
    } else if (setns(fd, CLONE_NEWNET) != 0) {
        err = errno;
    }
    if (fd >= 0) {
        close(fd);
    }
    (*env)->ReleaseStringUTFChars(env, path, p);
    if (err != 0) {
        m13_throw_errno(env, operation, err);
    }
}

/* Inode of the calling thread's network namespace (tells namespaces apart in tests). */
static jlong netns_current_id(JNIEnv *env, jclass cls)
{
    (void)cls;
    struct stat st;
    if (stat("/proc/thread-self/ns/net", &st) != 0) {
        m13_throw_errno(env, "stat(/proc/thread-self/ns/net)", errno);
        return 0;
    }
    return (jlong)st.st_ino;
}

static const JNINativeMethod netns_methods[] = {
    {"enter0", "(Ljava/lang/String;)V", (void *)netns_enter},
    {"currentId0", "()J", (void *)netns_current_id},
};

jint m13_register_netns(JNIEnv *env)
{
    return m13_register(env, "org/m13/sys/Netns", netns_methods, M13_COUNT(netns_methods));
}
