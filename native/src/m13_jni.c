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

#define M13_NATIVE_ABI 1

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

static const JNINativeMethod native_methods[] = {
    {"abi", "()I", (void *)native_abi},
    {"bufferAddress", "(Ljava/nio/ByteBuffer;)J", (void *)native_buffer_address},
};

jint m13_register_native(JNIEnv *env)
{
    jclass cls = (*env)->FindClass(env, "org/m13/sys/Native");
    if (cls == NULL) {
        return JNI_ERR;
    }
    return (*env)->RegisterNatives(env, cls, native_methods,
                                   (jint)(sizeof native_methods / sizeof native_methods[0]));
}

__attribute__((visibility("default"))) JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
    (void)reserved;
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_10) != JNI_OK) {
        return JNI_ERR;
    }
    if (m13_register_native(env) != JNI_OK || m13_register_aes_gcm(env) != JNI_OK) {
        return JNI_ERR;
    }
    return JNI_VERSION_10;
}
