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

#endif
