/* Shared helpers for the JNI library: registration and exception throwing. */
#ifndef M13_JNI_H
#define M13_JNI_H

#include <jni.h>

/* Throws java.lang.IllegalStateException("<operation>: <detail>"). */
void m13_throw(JNIEnv *env, const char *operation, const char *detail);

/* Throws with the errno text: "<operation>: <strerror(err)> (errno <err>)". */
void m13_throw_errno(JNIEnv *env, const char *operation, int err);

/* Each C file that binds a Java class registers its natives from one table. */
jint m13_register_native(JNIEnv *env);
jint m13_register_aes_gcm(JNIEnv *env);
jint m13_register_netns(JNIEnv *env);
jint m13_register_tun(JNIEnv *env);
jint m13_register_xdp_program(JNIEnv *env);
jint m13_register_xdp_socket(JNIEnv *env);
jint m13_register_udp_socket(JNIEnv *env);
jint m13_register_io_uring(JNIEnv *env);
jint m13_register_packet_socket(JNIEnv *env);
jint m13_register_eventfd(JNIEnv *env);

/* Registers a table of natives on a class; JNI_ERR (with the exception pending) on failure. */
jint m13_register(JNIEnv *env, const char *class_name, const JNINativeMethod *methods, int count);

#define M13_COUNT(array) ((int)(sizeof(array) / sizeof((array)[0])))

#endif
