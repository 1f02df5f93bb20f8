/*
 * JNI entry point. Natives are registered from tables (RegisterNatives), so no
 * generated headers are needed and the C side can be built before the Java side.
 * Also binds org.m13.sys.Native: the probe and the address of a direct buffer.
 */
#include "m13_jni.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Bump with org.m13.sys.Native.EXPECTED_ABI whenever a native signature changes. */
#define M13_NATIVE_ABI 3

void m13_throw(JNIEnv *env, const char *operation, const char *detail)
{
    char message[512];
    snprintf(message, sizeof message, "%s: %s", operation, detail);
    jclass cls = (*env)->FindClass(env, "java/lang/IllegalStateException");
    if (cls != NULL) {
        (*env)->ThrowNew(env, cls, message);
    }
}

void m13_throw_errno(JNIEnv *env, const char *operation, int err)
{
    char detail[256];
    snprintf(detail, sizeof detail, "%s (errno %d)", strerror(err), err);
    m13_throw(env, operation, detail);
}

static jint native_abi(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return M13_NATIVE_ABI;
}

static jlong native_buffer_address(JNIEnv *env, jclass cls, jobject buffer)
{
    (void)cls;
    void *address = (*env)->GetDirectBufferAddress(env, buffer);
    if (address == NULL) {
        m13_throw(env, "GetDirectBufferAddress", "not a direct buffer");
        return 0;
    }
    return (jlong)(uintptr_t)address;
}

/* memcpy between two native regions (in-memory test links and TUNs: a copy is what a wire does). */
static void native_copy(JNIEnv *env, jclass cls, jlong from, jlong to, jint length)
{
    (void)env;
    (void)cls;
    if (length > 0) {
        memmove((void *)(uintptr_t)to, (const void *)(uintptr_t)from, (size_t)length);
    }
}

static jstring native_errno_text(JNIEnv *env, jclass cls, jint err)
{
    (void)cls;
    char text[256];
    snprintf(text, sizeof text, "%s (errno %d)", strerror(err), err);
    return (*env)->NewStringUTF(env, text);
}

static const JNINativeMethod native_methods[] = {
    {"abi", "()I", (void *)native_abi},
    {"bufferAddress", "(Ljava/nio/ByteBuffer;)J", (void *)native_buffer_address},
    {"copy0", "(JJI)V", (void *)native_copy},
    {"errnoText0", "(I)Ljava/lang/String;", (void *)native_errno_text},
};

jint m13_register(JNIEnv *env, const char *class_name, const JNINativeMethod *methods, int count)
{
    jclass cls = (*env)->FindClass(env, class_name);
    if (cls == NULL) {
        return JNI_ERR;
    }
    jint rc = (*env)->RegisterNatives(env, cls, methods, count);
    (*env)->DeleteLocalRef(env, cls);
    return rc;
}

jint m13_register_native(JNIEnv *env)
{
    return m13_register(env, "org/m13/sys/Native", native_methods, M13_COUNT(native_methods));
}

/* One entry per C file that binds a Java class. */
static jint (*const registrations[])(JNIEnv *) = {
    m13_register_native, m13_register_aes_gcm, m13_register_netns,
    m13_register_tun, m13_register_xdp_program, m13_register_xdp_socket,
    m13_register_udp_socket, m13_register_io_uring,
    m13_register_packet_socket, m13_register_eventfd,
};

__attribute__((visibility("default"))) JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
    (void)reserved;
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_10) != JNI_OK) {
        return JNI_ERR;
    }
    for (int i = 0; i < M13_COUNT(registrations); i++) {
        if (registrations[i](env) != JNI_OK) {
            return JNI_ERR;
        }
    }
    return JNI_VERSION_10;
}
