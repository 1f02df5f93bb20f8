/*
 * AES-256-GCM for the data plane, in place on native memory, through OpenSSL's
 * EVP interface. Binds org.m13.crypto.AesGcm.
 *
 * One context per key and direction of use, created once: per packet only the IV
 * is set, so a seal or open allocates nothing. Hot calls return 0 or a negative
 * status (the Java side maps it to AeadStatus); only create() throws.
 *
 * Frame layout used by seal_frame/open_frame (offsets from sig, the M13 header):
 *   sig+0..4   AAD (magic, version, crypto, key phase)
 *   sig+4..20  tag
 *   sig+20..32 nonce = seq (8, big endian) | direction (1) | 00 00 00
 *   sig+32..   encrypted region (seq, flags, length, padding, body)
 */
#include "m13_jni.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_BYTES 32
#define TAG_BYTES 16
#define NONCE_BYTES 12
#define AAD_BYTES 4
#define TAG_OFFSET 4
#define NONCE_OFFSET 20
#define SEQ_OFFSET 32
#define HEADER_BYTES 48
#define CRYPTO_OFFSET 2
#define CRYPTO_AES_256_GCM 0x01
#define DIRECTION_INDEX 8

/* Keep in sync with org.m13.crypto.AeadStatus. */
enum {
    STATUS_OK = 0,
    STATUS_BAD_LENGTH = -1,
    STATUS_NOT_ENCRYPTED = -2,
    STATUS_REFLECTED = -3,
    STATUS_BAD_NONCE = -4,
    STATUS_AUTH_FAILED = -5,
    STATUS_SEQ_MISMATCH = -6,
    STATUS_CLOSED = -7,
    STATUS_INTERNAL = -8,
};

typedef struct {
    EVP_CIPHER_CTX *seal;
    EVP_CIPHER_CTX *open;
} gcm_key;

static void throw_openssl(JNIEnv *env, const char *operation)
{
    char detail[256];
    unsigned long code = ERR_get_error();
    if (code == 0) {
        strcpy(detail, "OpenSSL reported no error code");
    } else {
        ERR_error_string_n(code, detail, sizeof detail);
    }
    ERR_clear_error();
    m13_throw(env, operation, detail);
}

static void free_key(gcm_key *key)
{
    if (key != NULL) {
        EVP_CIPHER_CTX_free(key->seal);
        EVP_CIPHER_CTX_free(key->open);
        free(key);
    }
}

static jlong gcm_create(JNIEnv *env, jclass cls, jbyteArray key_bytes)
{
    (void)cls;
    if (key_bytes == NULL || (*env)->GetArrayLength(env, key_bytes) != KEY_BYTES) {
        m13_throw(env, "AesGcm.create", "key must be 32 bytes");
        return 0;
    }
    unsigned char raw[KEY_BYTES];
    (*env)->GetByteArrayRegion(env, key_bytes, 0, KEY_BYTES, (jbyte *)raw);

    gcm_key *key = calloc(1, sizeof *key);
    if (key == NULL) {
        OPENSSL_cleanse(raw, sizeof raw);
        m13_throw_errno(env, "AesGcm.create: calloc", ENOMEM);
        return 0;
    }
    key->seal = EVP_CIPHER_CTX_new();
    key->open = EVP_CIPHER_CTX_new();
    const char *failed = NULL;
    if (key->seal == NULL || key->open == NULL) {
        failed = "EVP_CIPHER_CTX_new";
    } else if (EVP_EncryptInit_ex(key->seal, EVP_aes_256_gcm(), NULL, raw, NULL) != 1) {
        failed = "EVP_EncryptInit_ex";
    } else if (EVP_DecryptInit_ex(key->open, EVP_aes_256_gcm(), NULL, raw, NULL) != 1) {
        failed = "EVP_DecryptInit_ex";
    }
    OPENSSL_cleanse(raw, sizeof raw);
    if (failed != NULL) {
        free_key(key);
        throw_openssl(env, failed);
        return 0;
    }
    return (jlong)(uintptr_t)key;
}

static void gcm_destroy(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    free_key((gcm_key *)(uintptr_t)handle);
}

static int seal(EVP_CIPHER_CTX *ctx, const uint8_t *iv, const uint8_t *aad, int aad_len,
                uint8_t *data, int data_len, uint8_t *tag)
{
    int n = 0;
    if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1
        || (aad_len > 0 && EVP_EncryptUpdate(ctx, NULL, &n, aad, aad_len) != 1)
        || (data_len > 0 && EVP_EncryptUpdate(ctx, data, &n, data, data_len) != 1)
        || EVP_EncryptFinal_ex(ctx, data + data_len, &n) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_BYTES, tag) != 1) {
        ERR_clear_error();
        return STATUS_INTERNAL;
    }
    return STATUS_OK;
}

/* Decrypts in place; on a bad tag the region holds garbage and must be dropped. */
static int open_in_place(EVP_CIPHER_CTX *ctx, const uint8_t *iv, const uint8_t *aad, int aad_len,
                         uint8_t *data, int data_len, const uint8_t *tag)
{
    int n = 0;
    if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1
        || (aad_len > 0 && EVP_DecryptUpdate(ctx, NULL, &n, aad, aad_len) != 1)
        || (data_len > 0 && EVP_DecryptUpdate(ctx, data, &n, data, data_len) != 1)
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_BYTES, (void *)tag) != 1) {
        ERR_clear_error();
        return STATUS_INTERNAL;
    }
    if (EVP_DecryptFinal_ex(ctx, data + data_len, &n) != 1) {
        ERR_clear_error();
        return STATUS_AUTH_FAILED;
    }
    return STATUS_OK;
}

static void put_u64_be(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t get_u64_be(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static jint gcm_seal_frame(JNIEnv *env, jclass cls, jlong handle, jlong sig_address, jint sig_length,
                           jlong seq, jint direction)
{
    (void)env;
    (void)cls;
    gcm_key *key = (gcm_key *)(uintptr_t)handle;
    uint8_t *sig = (uint8_t *)(uintptr_t)sig_address;
    if (key == NULL) {
        return STATUS_CLOSED;
    }
    if (sig == NULL || sig_length < HEADER_BYTES) {
        return STATUS_BAD_LENGTH;
    }
    uint8_t *nonce = sig + NONCE_OFFSET;
    put_u64_be(nonce, (uint64_t)seq);
    nonce[DIRECTION_INDEX] = (uint8_t)direction;
    nonce[9] = nonce[10] = nonce[11] = 0;
    put_u64_be(sig + SEQ_OFFSET, (uint64_t)seq);
    return seal(key->seal, nonce, sig, AAD_BYTES, sig + SEQ_OFFSET, sig_length - SEQ_OFFSET,
                sig + TAG_OFFSET);
}

static jint gcm_open_frame(JNIEnv *env, jclass cls, jlong handle, jlong sig_address, jint sig_length,
                           jint our_direction)
{
    (void)env;
    (void)cls;
    gcm_key *key = (gcm_key *)(uintptr_t)handle;
    uint8_t *sig = (uint8_t *)(uintptr_t)sig_address;
    if (key == NULL) {
        return STATUS_CLOSED;
    }
    if (sig == NULL || sig_length < HEADER_BYTES) {
        return STATUS_BAD_LENGTH;
    }
    if (sig[CRYPTO_OFFSET] != CRYPTO_AES_256_GCM) {
        return STATUS_NOT_ENCRYPTED;
    }
    const uint8_t *nonce = sig + NONCE_OFFSET;
    if (nonce[DIRECTION_INDEX] == (uint8_t)our_direction) {
        return STATUS_REFLECTED;
    }
    if (nonce[DIRECTION_INDEX] > 1 || nonce[9] != 0 || nonce[10] != 0 || nonce[11] != 0) {
        return STATUS_BAD_NONCE;
    }
    int status = open_in_place(key->open, nonce, sig, AAD_BYTES, sig + SEQ_OFFSET,
                               sig_length - SEQ_OFFSET, sig + TAG_OFFSET);
    if (status != STATUS_OK) {
        return status;
    }
    /* Both are authenticated, so they differ only if the sender is broken. */
    if (get_u64_be(sig + SEQ_OFFSET) != get_u64_be(nonce)) {
        return STATUS_SEQ_MISMATCH;
    }
    return STATUS_OK;
}

/* General form, for known-answer vectors with any AAD length (IV is 12 bytes). */
static jint raw(jlong handle, int opening, jlong iv, jlong aad, jint aad_length, jlong data, jint data_length,
                jlong tag)
{
    gcm_key *key = (gcm_key *)(uintptr_t)handle;
    if (key == NULL) {
        return STATUS_CLOSED;
    }
    if (aad_length < 0 || data_length < 0) {
        return STATUS_BAD_LENGTH;
    }
    const uint8_t *iv_p = (const uint8_t *)(uintptr_t)iv;
    const uint8_t *aad_p = (const uint8_t *)(uintptr_t)aad;
    uint8_t *data_p = (uint8_t *)(uintptr_t)data;
    uint8_t *tag_p = (uint8_t *)(uintptr_t)tag;
    return opening ? open_in_place(key->open, iv_p, aad_p, aad_length, data_p, data_length, tag_p)
                   : seal(key->seal, iv_p, aad_p, aad_length, data_p, data_length, tag_p);
}

static jint gcm_seal_raw(JNIEnv *env, jclass cls, jlong handle, jlong iv, jlong aad, jint aad_length,
                         jlong data, jint data_length, jlong tag)
{
    (void)env;
    (void)cls;
    return raw(handle, 0, iv, aad, aad_length, data, data_length, tag);
}

static jint gcm_open_raw(JNIEnv *env, jclass cls, jlong handle, jlong iv, jlong aad, jint aad_length,
                         jlong data, jint data_length, jlong tag)
{
    (void)env;
    (void)cls;
    return raw(handle, 1, iv, aad, aad_length, data, data_length, tag);
}

static const JNINativeMethod aes_gcm_methods[] = {
    {"create", "([B)J", (void *)gcm_create},
    {"destroy", "(J)V", (void *)gcm_destroy},
    {"sealFrame", "(JJIJI)I", (void *)gcm_seal_frame},
    {"openFrame", "(JJII)I", (void *)gcm_open_frame},
    {"sealRaw", "(JJJIJIJ)I", (void *)gcm_seal_raw},
    {"openRaw", "(JJJIJIJ)I", (void *)gcm_open_raw},
};

jint m13_register_aes_gcm(JNIEnv *env)
{
    jclass cls = (*env)->FindClass(env, "org/m13/crypto/AesGcm");
    if (cls == NULL) {
        return JNI_ERR;
    }
    return (*env)->RegisterNatives(env, cls, aes_gcm_methods,
                                   (jint)(sizeof aes_gcm_methods / sizeof aes_gcm_methods[0]));
}
